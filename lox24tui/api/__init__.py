"""The LOX24 REST client: models, errors and the HTTP client.

Imports nothing from the rest of lox24tui, so it can be lifted out whole.
"""

from lox24tui.api.client import DEFAULT_BASE_URL, BulkPage, Lox24Client, StatusReply
from lox24tui.api.errors import (
    AccountError,
    AccountNotActive,
    BulkNotFound,
    InvalidBulkId,
    InvalidToken,
    Lox24Error,
    NetworkError,
    RateLimited,
    ServerError,
    TransientError,
    UnexpectedStatus,
    UnreadableResponse,
    WriteRefused,
)
from lox24tui.api.ids import is_bulk_id, parse_bulk_id
from lox24tui.api.models import (
    SCHEDULED,
    Bulk,
    BulkStatus,
    StatusCode,
    label_with_code,
    status_info,
    status_label,
    voice_language_name,
    voice_language_with_code,
)
from lox24tui.api.pool import Lox24ClientPool
from lox24tui.api.sms import (
    ACCOUNT_FIELDS,
    FINAL_DLR_CODES,
    MESSAGE_FIELDS,
    NOT_SENT_CODES,
    Account,
    DlrCode,
    Message,
    MessageCount,
    MessageFilters,
    MessagePage,
    SmsStatusCode,
)
from lox24tui.api.token import Token

__all__ = [
    "ACCOUNT_FIELDS",
    "DEFAULT_BASE_URL",
    "FINAL_DLR_CODES",
    "MESSAGE_FIELDS",
    "NOT_SENT_CODES",
    "SCHEDULED",
    "Account",
    "AccountError",
    "AccountNotActive",
    "Bulk",
    "BulkNotFound",
    "BulkPage",
    "BulkStatus",
    "DlrCode",
    "InvalidBulkId",
    "InvalidToken",
    "Lox24Client",
    "Lox24ClientPool",
    "Lox24Error",
    "Message",
    "MessageCount",
    "MessageFilters",
    "MessagePage",
    "NetworkError",
    "RateLimited",
    "ServerError",
    "SmsStatusCode",
    "StatusCode",
    "StatusReply",
    "Token",
    "TransientError",
    "UnexpectedStatus",
    "UnreadableResponse",
    "WriteRefused",
    "is_bulk_id",
    "label_with_code",
    "parse_bulk_id",
    "status_info",
    "status_label",
    "voice_language_name",
    "voice_language_with_code",
]
