"""The feed back to the lending system: what borrowers did in the portal, since a cursor."""
