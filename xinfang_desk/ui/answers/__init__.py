"""The 答复口径 tab: the answer library (list, versions, editor with a live fill preview,
approve/retire) and the policy references panel.
"""
