"""Feature-area string tables (English and Simplified Chinese), merged by ``tutor_app.i18n``."""
