class DossierError(Exception):
    """Base of the errors the dossier services raise; views turn them into French messages."""


class LicenceAlreadyOnFile(DossierError):
    """A file already exists for this licence number in this profession."""
