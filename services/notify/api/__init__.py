"""HTTP API of the notify service, one module per resource. Handlers are thin: parse → call the
use case → serialise, each with its response schema and problems declared.

Resources (event → notice → delivery → attempt; see `services.notify.domain`):
`endpoints` (webhook endpoints, their secrets, attempts, deliveries and replays), `deliveries`
(one notice to one endpoint or address, its attempts and replay), `subscriptions` (preferences
and watches), `operations` (dead letters, metrics). `old_paths` answers 308 from the paths of
the release before, which called deliveries "messages".
"""

from services.notify.api.deliveries import blp as deliveries
from services.notify.api.endpoints import blp as endpoints
from services.notify.api.old_paths import old_paths
from services.notify.api.operations import blp as dead_letters
from services.notify.api.operations import ops
from services.notify.api.subscriptions import blp as subscriptions

blueprints: list = [endpoints, deliveries, subscriptions, dead_letters, ops]

__all__ = ["blueprints", "old_paths"]
