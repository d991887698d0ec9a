from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_password, name="login"),
    path("login/sms/", views.login_sms, name="login_sms"),
    path("login/face/", views.login_face, name="login_face"),
    path("login/face/capture/", views.login_face_capture, name="login_face_capture"),
    path("register/", views.register, name="register"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/", views.profile, name="profile"),
    path("elder-mode/", views.elder_mode_toggle, name="elder_mode"),
    path("sms-outbox/", views.sms_outbox, name="sms_outbox"),
]
