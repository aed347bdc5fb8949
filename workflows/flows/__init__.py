"""Shared flow machinery (nodes); each SOP's flow lives in its package (``workflows/sops/<name>/flow.py``)."""
