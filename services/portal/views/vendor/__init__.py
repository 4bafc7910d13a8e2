"""The vendor workspace: the request inbox and the issued licenses, each page showing only what
the person's roles in the vendor organisation allow (the services enforce it; the portal does
not offer what would be refused)."""
