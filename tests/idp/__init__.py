"""A real OpenID Connect provider for the single sign-on tests: a small Django project with django-oauth-toolkit's
OIDC provider (discovery, JWKS, RS256 ID tokens, the authorization-code flow with PKCE required), run in its own
process on loopback by ``tests.idp.provider.IdentityProvider``. Test code only: never installed in the register."""
