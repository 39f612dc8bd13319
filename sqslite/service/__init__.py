from .base import RequestContext
from .errors import SqsError
from .service import OPERATIONS, SqsService

__all__ = ["OPERATIONS", "RequestContext", "SqsError", "SqsService"]
