"""The papers of a matter: files attached to a case (letters, ID copies, evidence, replies,
units' reports), judged by their content and stored in the database (`attachments`, `kinds`),
and the case file (卷宗) that binds the register form, the timeline, the letters and the
attachments into one PDF. May import documents and everything below.
"""
