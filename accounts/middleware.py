class ElderModeMiddleware:
    """关怀模式: remembered on the account when signed in, in the session before that."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.elder_mode = user.elder_mode
        else:
            request.elder_mode = bool(request.session.get("elder_mode", False))
        return self.get_response(request)
