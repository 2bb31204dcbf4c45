from .occurrences import notifications_unread_count


def unread(request) -> dict:
    """The nav's unread count: one indexed count per page for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": notifications_unread_count(user=user)}
