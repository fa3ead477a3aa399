class InscriptionError(Exception):
    """Base of the errors the inscription services raise; views turn them into French messages."""


class EnrolmentRefused(InscriptionError):
    """The reference number is unknown or used, or the identity does not match: never says which."""


class UsernameTaken(InscriptionError):
    """Another account already has this username."""


class StaleDraft(InscriptionError):
    """The draft was saved from another window since this page was shown."""


class StepNeedsAttention(InscriptionError):
    """A step's saved entries no longer hold (reference data or the file changed); args: step, message."""

    def __init__(self, step: int, message: str):
        super().__init__(step, message)
        self.step = step
        self.message = message
