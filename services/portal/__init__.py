"""The web portal: storefront, sign-in and the workspaces, over the services' public APIs."""
