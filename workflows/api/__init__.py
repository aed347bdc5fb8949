"""SOPFlow's REST API (``/api/v1/``): Django REST framework, OpenAPI 3 by drf-spectacular.

Reads (SOPs and their published versions, processes, the caller's tasks, a process's audit
trail, the SLA figures) and two acts (claim a task, complete a step that needs no file or
signature) go through the same querysets, checks, locks and audit as the web pages; nothing here
names a SOP. Officers authenticate with their own API tokens (``ApiToken``, created and revoked in
the admin) or, on the browsable pages, with their session.
"""
