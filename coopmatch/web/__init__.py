"""HTML blueprints: thin views over the services."""
