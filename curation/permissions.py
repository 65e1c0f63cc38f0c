"""Roles: researchers are signed-in users; curators belong to the "curators" group."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

CURATORS_GROUP = "curators"


def is_curator(user) -> bool:
    """Return whether ``user`` may take curator actions (the group, or a superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # The group names are cached on the user object for the rest of the request.
    if not hasattr(user, "_pof_groups"):
        user._pof_groups = set(user.groups.values_list("name", flat=True))
    return CURATORS_GROUP in user._pof_groups


class IsCurator(BasePermission):
    message = "Curator role required: ask an administrator to add you to the curators group."

    def has_permission(self, request, view) -> bool:
        return is_curator(request.user)


class IsCuratorOrReadOnly(BasePermission):
    message = IsCurator.message

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or is_curator(request.user)
