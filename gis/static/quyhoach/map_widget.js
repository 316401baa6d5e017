// Starts the admin's offline map widgets (gis/templates/quyhoach/map_widget.html) from
// their data- attributes: no inline script, so they work under the Content-Security-Policy.
"use strict";
(function () {
  function start(wrapper) {
    if (wrapper.dataset.started) return;
    wrapper.dataset.started = "1";
    const data = wrapper.dataset;
    const source = data.baseTileUrl ? new ol.source.XYZ({ url: data.baseTileUrl }) : undefined;
    const options = {
      base_layer: new ol.layer.Tile(source ? { source: source } : {}),
      geom_name: data.geomName,
      id: data.id,
      map_id: data.id + "_map",
      map_srid: Number(data.mapSrid),
      name: data.name,
      default_lon: Number(data.defaultLon),
      default_lat: Number(data.defaultLat),
      default_zoom: Number(data.defaultZoom),
    };
    window[data.module] = new MapWidget(options);
  }
  document.querySelectorAll("[data-quyhoach-map-widget]").forEach(start);
})();
