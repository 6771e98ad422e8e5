"""Errors a user can cause. Each carries a message the user can act on."""


class PlansmithError(Exception):
    """Base for every error whose message is shown to the user as is (no traceback)."""


class PlanError(PlansmithError):
    """The plan file cannot be used (missing, empty, binary, undecodable, too big)."""


class CodebaseError(PlansmithError):
    """The codebase folder cannot be used."""


class ModelFileError(PlansmithError):
    """A model file is missing, truncated, or not a GGUF model."""


class EngineError(PlansmithError):
    """The model engine failed to load or to generate."""


class ContextError(PlansmithError):
    """The plan and the code cannot fit the model's context window."""


class ChangeError(PlansmithError):
    """A change cannot be applied, undone or exported."""


class DownloadError(PlansmithError):
    """A model download failed or was refused."""


class SettingsError(PlansmithError):
    """The settings file or a setting is invalid."""


class Cancelled(Exception):
    """The user stopped the operation. Not an error: nothing to show but 'stopped'."""
