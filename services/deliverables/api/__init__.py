"""HTTP API of the deliverables service, one module per resource; thin handlers: parse → use
case → serialise, each with its response schema and problems declared."""

from services.deliverables.api.downloads import blp as downloads
from services.deliverables.api.packages import blp as packages
from services.deliverables.api.uploads import blp as uploads

blueprints: list = [uploads, downloads, packages]

__all__ = ["blueprints"]
