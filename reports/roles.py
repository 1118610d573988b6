"""Who may do what with memos. Legal, security and procurement generate; every role but the requester
reads, downloads and verifies every memo (view_memo, granted to all but the requester by roles_sync); the
requester gets view_memo too, and Memo.objects.visible_to narrows it to their own requests."""

ROLE_PERMISSIONS = {
    "legal": ["add_memo", "view_memo", "view_memoverification"],
    "security": ["add_memo", "view_memo", "view_memoverification"],
    "procurement": ["add_memo", "view_memo", "view_memoverification"],
    "requester": ["view_memo"],
}
