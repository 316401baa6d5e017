"""Page routes."""

from django.urls import path

from webmap import desk, editor, export, views

urlpatterns = [
    path("", views.planning_map, name="planning-map"),
    path("report/<int:parcel_id>/", views.printable_report, name="printable-report"),
    path("export/map.html", export.map_html, name="export-map"),
    path("editor/", editor.editor, name="editor"),
    path("desk/", desk.queue, name="desk"),
    path("desk/new/", desk.register, name="desk-register"),
    path("desk/permits/<int:pk>/", desk.permit_page, name="desk-permit"),
    path("desk/permits/<int:pk>/pdf/", desk.permit_pdf, name="desk-permit-pdf"),
]
