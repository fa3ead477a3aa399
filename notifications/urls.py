from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.message_detail, name="message"),
    path("<int:pk>/non-lu/", views.mark_unread, name="mark_unread"),
    path("<int:pk>/repondre/", views.reply_to_the_board, name="reply"),
    path("envoyes/", views.sent, name="sent"),
    path("ecrire/", views.write_to_the_board, name="write"),
    path("avis-par-courriel/", views.notice_rule, name="notice_rule"),
]
