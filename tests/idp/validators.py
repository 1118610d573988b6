from oauth2_provider.oauth2_validators import OAuth2Validator


class GroupsValidator(OAuth2Validator):
    """The claims a company's provider sends: names, e-mail and the person's groups (in the ID token and from
    userinfo), as Entra ID, Okta and Keycloak do once a groups claim is configured."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "groups": "openid", "preferred_username": "profile"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "preferred_username": user.username,
        }
