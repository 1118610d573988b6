"""What each role may do in the register (synced into the role groups after migrate).

Every role but the requester also views everything (riskreg.core.roles), including the
``view_all_adoptionrequest`` permission; a requester views only their own requests.
"""

ROLE_PERMISSIONS = {
    "requester": [
        "add_adoptionrequest",
        "change_adoptionrequest",
        "view_adoptionrequest",
        "view_signoff",
        "view_approvalcondition",
        "add_riskitem",
        "change_riskitem",
        "view_riskitem",
        "view_requestevent",
        "view_riskmatrix",
    ],
    "legal": [
        "add_signoff",
        "add_riskitem",
        "change_riskitem",
        "add_riskmatrix",
        "change_riskmatrix",
        "change_adoptionrequest",
    ],
    "security": ["add_signoff", "add_riskitem", "change_riskitem"],
    "procurement": ["add_signoff", "add_riskitem", "change_riskitem", "change_adoptionrequest"],
}

#: Whoever may view every adoption request (each role but the requester) may read the user list too.
USER_LIST_PERMISSIONS = ["view_all_adoptionrequest"]
