"""What the tabs share: the worker-thread task runner, table helpers, colours, form
helpers, file-error texts, the documents menu with its print preview and PDF rendering, the
leader's approval box, the answer picker and the restore dialog pieces.
"""
