"""CloudStack's error answers: codes, cserrorcodes and texts as ApiServer produces them."""

from __future__ import annotations

# ApiErrorCode values (HTTP status = errorcode)
PARAM_ERROR = 431
UNSUPPORTED_ACTION = 432
MALFORMED_PARAMETER = 430
UNAUTHORIZED = 401
INTERNAL_ERROR = 530
ACCOUNT_ERROR = 531
INSUFFICIENT_CAPACITY = 533
RESOURCE_UNAVAILABLE = 534
RESOURCE_ALLOCATION = 535
RESOURCE_IN_USE = 536
NETWORK_RULE_CONFLICT = 537

# CSExceptionErrorCode values
CS_SERVER_API = 9999
CS_CLOUD_RUNTIME = 4250
CS_INVALID_PARAMETER = 4350
CS_PERMISSION_DENIED = 4365
CS_NETWORK_RULE_CONFLICT = 4360
CS_RESOURCE_ALLOCATION = 4370
CS_INSUFFICIENT_ADDRESS = 4320

AUTH_TEXT = "unable to verify user credentials and/or request signature"


class ApiError(Exception):
    """An error answer: ``errorcode`` is also the HTTP status; ``cserrorcode`` may be absent."""

    def __init__(
        self, errorcode: int, errortext: str, cserrorcode: int | None = CS_SERVER_API
    ) -> None:
        super().__init__(errortext)
        self.errorcode = errorcode
        self.errortext = errortext
        self.cserrorcode = cserrorcode


def invalid_parameter(text: str) -> ApiError:
    """InvalidParameterValueException escaping a command: 431 / 4350."""
    return ApiError(PARAM_ERROR, text, CS_INVALID_PARAMETER)


def runtime_error(text: str) -> ApiError:
    """CloudRuntimeException: 530 / 4250."""
    return ApiError(INTERNAL_ERROR, text, CS_CLOUD_RUNTIME)


def missing_parameter(command: str, param: str) -> ApiError:
    return ApiError(
        PARAM_ERROR,
        f"Unable to execute API command {command.lower()} due to missing parameter {param}",
    )


def unknown_entity(command: str, param: str, value: str) -> ApiError:
    return ApiError(
        PARAM_ERROR,
        f"Unable to execute API command {command.lower()} due to invalid value. Invalid parameter "
        f"{param} value={value} due to incorrect long value format, or entity does not exist or "
        "due to incorrect parameter annotation for the field in api cmd class.",
    )


def bad_number(command: str, param: str, value: str) -> ApiError:
    return ApiError(
        PARAM_ERROR,
        f"Unable to execute API command {command.lower()} due to invalid value {value} "
        f"for parameter {param}",
    )


def unavailable_command(command: str, user_id: str) -> ApiError:
    """A command the caller's role does not allow: DynamicRoleBasedAPIAccessChecker.checkAccess
    throws UnavailableCommandException, which ApiServer.commandAvailable answers with 432.

    CloudStack answers 401 for a name it does not have at all (verifyRequest finds it in no
    command map); the sandbox cannot tell those from the commands it does not serve, so it
    plays an account whose role allows exactly the commands it serves.
    """
    return ApiError(
        UNSUPPORTED_ACTION,
        f"The API [{command}] does not exist or is not available for the account for user id "
        f"[{user_id}].",
    )
