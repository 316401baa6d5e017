"""Four corrections to MapProxy 7, installed when the app is built (tiles.service).

1. WMS and WMTS exceptions for bad requests (a layer that is not queryable, a missing
   parameter…) come with HTTP 500 from MapProxy's XML exception handlers; ours are 400
   (CONTRACT.md: never a 500 for bad input). Internal errors (a failed render) stay 500.
   WMTS KVP tile numbers that are not integers (a ValueError, so a plain 500) are an
   InvalidParameterValue (400), and a RESTful WMTS path that names nothing — among them
   ``/tiles/wmts?``, which the RESTful capabilities give as the operations' address — is a
   404 like TMS's, not "internal error".

2. The file cache survives its folder being deleted under traffic. Operators empty the tile
   cache with ``rm -rf``; a request rendering at that moment finds the folder it just made
   gone when it writes (FileNotFoundError, a 500). The tile is rendered and in memory: it is
   written again into a re-made folder, and if the folder is pulled away a second time it is
   served uncached rather than failing the request. A cached tile is read when it is found
   (not later, when the answer is written), so one deleted between the two is rendered
   again instead of failing.

3. A TMS TileMap's ``<Origin>`` and ``<BoundingBox>`` are the layer's extent, which the
   sources' coverage limits to the province (tiles.config.province_coverage): the origin
   would be the province's south-west corner instead of the grid's, and clients would
   place every tile wrong (GDAL does). The TileMap gives the grid's extent again; WMS and
   WMTS capabilities keep the province.

4. Tile ETags are sent unquoted (``ETag: 3fab…``), which RFC 9110 does not allow; caches
   and proxies may drop them. They are quoted, and a browser's If-None-Match (which echoes
   the quoted value) still gets its 304.
"""

from __future__ import annotations

import io
import logging

logger = logging.getLogger(__name__)


def install() -> None:
    install_client_error_status()
    install_resilient_file_cache()
    install_tms_grid_origin()
    install_quoted_etags()


def install_quoted_etags() -> None:
    from mapproxy.response import Response

    if getattr(Response.etag.fset, "corrected", False):
        return

    def set_etag(self, value: str) -> None:
        quoted = value if value.startswith(('"', 'W/"')) else f'"{value}"'
        self.headers["ETag"] = quoted

    set_etag.corrected = True
    Response.etag = property(Response.etag.fget, set_etag)


def install_tms_grid_origin() -> None:
    from mapproxy.service.tile import TileLayer

    if getattr(TileLayer.bbox.fget, "corrected", False):
        return

    def grid_bbox(self) -> tuple[float, float, float, float]:
        """The tile grid's extent (its first level's tiles): what the TMS TileMap's
        origin and bounding box mean. Only the TileMap template reads this property."""
        return self.grid.bbox

    grid_bbox.corrected = True
    TileLayer.bbox = property(grid_bbox)


def install_client_error_status() -> None:
    from mapproxy.exception import RequestError
    from mapproxy.request.wms.exception import WMSXMLExceptionHandler
    from mapproxy.request.wmts import (
        WMTS100ExceptionHandler,
        WMTS100FeatureInfoRequest,
        WMTS100TileRequest,
    )
    from mapproxy.service import wmts as wmts_service

    if getattr(WMSXMLExceptionHandler.render, "corrected", False):
        return

    def client_error_status(handler) -> None:
        render = handler.render

        def corrected_render(self, request_error):
            response = render(self, request_error)
            client_error = request_error.status is None and not request_error.internal
            if client_error and response.status.startswith("500"):
                response.status = 400
            return response

        corrected_render.corrected = True
        handler.render = corrected_render

    client_error_status(WMSXMLExceptionHandler)
    client_error_status(WMTS100ExceptionHandler)

    def integer_parameters(request_class) -> None:
        make_request = request_class.make_request

        def checked_make_request(self):
            try:
                return make_request(self)
            except ValueError:
                raise RequestError(
                    "TileMatrix, TileRow, TileCol, I and J must be integers",
                    code="InvalidParameterValue",
                    request=self,
                ) from None

        request_class.make_request = checked_make_request

    integer_parameters(WMTS100TileRequest)
    integer_parameters(WMTS100FeatureInfoRequest)

    parse_rest = wmts_service.wmts_rest_request_parser

    def rest_request_parser(url_converter, fi_url_converter, req):
        try:
            return parse_rest(
                url_converter=url_converter, fi_url_converter=fi_url_converter, req=req
            )
        except RequestError as error:
            if error.request is None and error.status is None and not error.internal:
                error.status = 404
            raise

    wmts_service.wmts_rest_request_parser = rest_request_parser


def install_resilient_file_cache() -> None:
    from mapproxy.cache.file import FileCache
    from mapproxy.image import ImageResult

    if getattr(FileCache.store_tile, "resilient", False):
        return
    store_tile = FileCache.store_tile

    def resilient_store_tile(self, tile, dimensions=None):
        try:
            return store_tile(self, tile, dimensions=dimensions)
        except FileNotFoundError:
            pass
        try:  # tile_location(create_dir=True) makes the folders again
            return store_tile(self, tile, dimensions=dimensions)
        except FileNotFoundError:
            logger.warning("tile %s not cached: its cache folder was removed", tile.coord)
            return False

    def resilient_load_tile(self, tile, with_metadata=False, dimensions=None):
        if not tile.is_missing():
            return True
        location = self.tile_location(tile, dimensions=dimensions)
        try:
            with open(location, "rb") as handle:
                data = handle.read()
            if with_metadata:
                self.load_tile_metadata(tile, dimensions=dimensions)
        except FileNotFoundError:
            return False  # not cached (any more): MapProxy renders it
        tile.image_result = ImageResult(io.BytesIO(data), image_opts=self.image_opts)
        return True

    resilient_store_tile.resilient = True
    FileCache.store_tile = resilient_store_tile
    FileCache.load_tile = resilient_load_tile
