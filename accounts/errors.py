"""The one base class of the hall's domain errors: a refusal a resident or clerk can read.

Every subsystem raises its own subclass (BindingError, LedgerError, CounterError, DocumentRejected, SmsError,
FaceCheckError); a view or admin action that only shows the refusal may catch HallError and print `message`.
`code` is stable, for forms, logs and tests. Nothing was written when one is raised.
"""


class HallError(Exception):
    default_code = "refused"

    def __init__(self, message: str = "", *, code: str = ""):
        self.message = message
        self.code = code or self.default_code
        super().__init__(message)
