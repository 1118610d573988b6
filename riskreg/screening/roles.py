"""Legal imports lists and reviews hits; every role but the requester views (granted by core)."""

ROLE_PERMISSIONS = {
    "legal": [
        "add_sanctionslist",
        "change_sanctionslist",
        "add_listversion",
        "review_screeninghit",
        "run_screening",
    ],
}
