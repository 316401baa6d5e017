"""The database backend: GeoDjango's PostGIS backend with a cheaper health check
(``ENGINE = "gis.db"``)."""
