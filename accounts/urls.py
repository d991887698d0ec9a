from django.contrib.auth import views as auth_views
from django.urls import path

from . import guardian_views, password_reset, stepup_views, views
from .acting import acting_scope

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_password, name="login"),
    path("login/sms/", views.login_sms, name="login_sms"),
    path("login/face/", views.login_face, name="login_face"),
    path("login/face/capture/", views.login_face_capture, name="login_face_capture"),
    path("register/", views.register, name="register"),
    path("register/pending/", guardian_views.register_pending, name="register_pending"),
    path("guardian-consent/", guardian_views.guardian_consent, name="guardian_consent"),
    path("guardian-consent/<int:pk>/", guardian_views.guardian_consent_decide, name="guardian_consent_decide"),
    path("guardian-ask/", guardian_views.guardian_ask, name="guardian_ask"),
    # Signing out always works, also while acting for someone else (it ends that too).
    path("logout/", acting_scope(None)(auth_views.LogoutView.as_view()), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/forgot/", password_reset.forgot, name="password_forgot"),
    path("password/forgot/code/", password_reset.forgot_code, name="password_forgot_code"),
    path("password/forgot/new/", password_reset.forgot_new, name="password_forgot_new"),
    path("me/", views.profile, name="profile"),
    path("elder-mode/", views.elder_mode_toggle, name="elder_mode"),
    path("acting/", views.acting_switch, name="acting_switch"),
    path("sms-outbox/", views.sms_outbox, name="sms_outbox"),
    path("agreements/<slug:slug>/", views.agreement, name="agreement"),
    path("verify/", stepup_views.verify, name="verify"),
    path("verify/face/", stepup_views.verify_face, name="verify_face"),
    path("verify/face/capture/", stepup_views.verify_face_capture, name="verify_face_capture"),
]
