"""The one exception the engine shows to users, with a translatable Indonesian message.

There are no Django imports in ``workflows.dkb``, so messages are only *marked* with ``_``
(gettext_noop style, which ``makemessages`` still collects); the Django layer translates
``err.template`` with gettext and fills in ``err.params`` itself.
"""


def _(message):
    return message


class DkbFileError(Exception):
    """A DKB/DWH extract that cannot be used at all; ``str(err)`` is the Indonesian message."""

    def __init__(self, template, **params):
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)

    def __str__(self):
        return self.template % self.params if self.params else self.template
