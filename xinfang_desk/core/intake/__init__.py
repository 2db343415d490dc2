"""The intake desk: what the form's pick lists need, saving an intake with its forwarding
and the approved answer it used, repeat visits (`desk`), and the per-user drafts of the form
(`drafts`). May import answers and everything below.
"""
