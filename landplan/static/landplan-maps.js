/* landplan map runtime: compact data layers, legend, fullscreen and measure controls.
 *
 * Every text that comes from data reaches the page through textContent, never innerHTML, so a
 * parcel name holding markup is shown as those characters and never parsed.
 */
(function () {
  "use strict";

  var lp = (window.landplan = window.landplan || {});
  lp.layers = lp.layers || {};
  lp.errors = lp.errors || [];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Coordinates arrive as integer deltas (lon, lat interleaved) scaled by data.scale: small numbers
  // keep the page small; the running sum restores the absolute position.
  function decodeCoords(xy, scale) {
    var n = xy.length / 2;
    var out = new Array(n);
    var x = 0;
    var y = 0;
    for (var i = 0; i < n; i++) {
      x += xy[2 * i];
      y += xy[2 * i + 1];
      out[i] = [y / scale, x / scale];
    }
    return out;
  }

  // Split a flat array by run lengths: lengths [3, 2] over [a, b, c, d, e] gives [[a, b, c], [d, e]].
  function splitBy(items, lengths) {
    var out = new Array(lengths.length);
    var start = 0;
    for (var i = 0; i < lengths.length; i++) {
      out[i] = items.slice(start, start + lengths[i]);
      start += lengths[i];
    }
    return out;
  }

  function geometries(data) {
    var pts = decodeCoords(data.xy, data.scale);
    if (data.geom === "point") return pts;
    var lens = data.lengths;
    // lengths[0] counts vertices per ring (or line), the next level rings per polygon, the
    // last level parts per feature.
    var nested = splitBy(pts, lens[0]);
    for (var level = 1; level < lens.length; level++) nested = splitBy(nested, lens[level]);
    return nested;
  }

  // A column is a plain array, or {codes, labels} where few distinct values repeat.
  function valueAt(column, i) {
    if (Array.isArray(column)) return column[i];
    var code = column.codes[i];
    return code < 0 ? null : column.labels[code];
  }

  function popupNode(data, i) {
    var box = el("div", "lp-popup");
    if (data.titles) box.appendChild(el("div", "lp-popup-title", data.titles[i]));
    var table = el("table");
    for (var f = 0; f < data.fields.length; f++) {
      var value = valueAt(data.values[f], i);
      if (value === null || value === undefined || value === "") continue;
      var row = el("tr");
      row.appendChild(el("th", null, data.fields[f]));
      row.appendChild(el("td", null, value));
      table.appendChild(row);
    }
    box.appendChild(table);
    return box;
  }

  var canvasRenderers = {};

  // One overlay from the page's data: each part holds one geometry family (areas, lines or
  // points) with its own columns, so a constraints layer can mix all three.
  lp.dataLayer = function (map, data) {
    var group = L.featureGroup();
    var renderer;
    var canvas = data.parts.some(function (part) {
      return part.canvas;
    });
    if (canvas) {
      var key = L.stamp(map);
      renderer = canvasRenderers[key] || (canvasRenderers[key] = L.canvas({ padding: 0.5 }));
    }
    data.parts.forEach(function (part) {
      var shapes = geometries(part);
      for (var i = 0; i < shapes.length; i++) {
        var style = L.extend({}, part.styles[part.cat[i]]);
        if (renderer) style.renderer = renderer;
        var layer;
        if (part.geom === "point") layer = L.circleMarker(shapes[i], style);
        else if (part.geom === "line") layer = L.polyline(shapes[i], style);
        else layer = L.polygon(shapes[i], style);
        layer._lpIndex = i;
        layer._lpPart = part;
        if (part.labels && part.labels[i] !== null) {
          layer.bindTooltip(el("span", null, part.labels[i]), {
            permanent: true,
            direction: "center",
            className: "lp-label",
          });
        }
        group.addLayer(layer);
      }
    });
    group.on("click", function (e) {
      var layer = e.layer;
      L.popup({ maxWidth: 380 })
        .setLatLng(e.latlng)
        .setContent(popupNode(layer._lpPart, layer._lpIndex))
        .openOn(map);
    });
    // A hover tooltip is bound on first hover only: binding one per feature up front costs
    // memory and time on large layers.
    group.on("mouseover", function (e) {
      var layer = e.layer;
      var part = layer._lpPart;
      if (layer.getTooltip() || !part.titles) return;
      layer.bindTooltip(el("span", null, part.titles[layer._lpIndex]), { sticky: true });
      layer.openTooltip(e.latlng);
    });
    group._lpData = data;
    lp.layers[data.name] = group;
    return group;
  };

  lp.legend = function (map, spec) {
    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var box = el("div", "lp-legend leaflet-control");
        if (spec.title) box.appendChild(el("div", "lp-legend-title", spec.title));
        spec.sections.forEach(function (section) {
          box.appendChild(el("div", "lp-legend-section", section.title));
          section.entries.forEach(function (entry) {
            var row = el("div", "lp-legend-row");
            var swatch = el("span", "lp-swatch lp-swatch-" + entry.shape);
            swatch.style.background = entry.fill || "transparent";
            swatch.style.borderColor = entry.color;
            if (entry.dash) swatch.style.borderStyle = "dashed";
            row.appendChild(swatch);
            row.appendChild(el("span", null, entry.label));
            box.appendChild(row);
          });
        });
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });
    var control = new Legend().addTo(map);
    // Fit the data beside the legend rather than under it (the east end of a zone that grows
    // east along its avenue is where the legend sits).
    if (lp.bounds) {
      map.fitBounds(lp.bounds, {
        paddingTopLeft: [56, 16],
        paddingBottomRight: [control.getContainer().offsetWidth + 16, 16],
        animate: false,
      });
    }
    return control;
  };

  function button(container, text, title, onClick) {
    var link = el("a", "lp-button", text);
    link.href = "#";
    link.title = title;
    link.setAttribute("role", "button");
    link.setAttribute("aria-label", title);
    L.DomEvent.on(link, "click", function (e) {
      L.DomEvent.stop(e);
      onClick();
    });
    container.appendChild(link);
    return link;
  }

  lp.fullscreen = function (map, labels) {
    var Control = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var bar = el("div", "leaflet-bar leaflet-control lp-fullscreen");
        var doc = document;
        var box = map.getContainer();
        var link = button(bar, "", labels.enter, function () {
          var active = doc.fullscreenElement || doc.webkitFullscreenElement;
          if (active) (doc.exitFullscreen || doc.webkitExitFullscreen).call(doc);
          else (box.requestFullscreen || box.webkitRequestFullscreen).call(box);
        });
        function changed() {
          var active = doc.fullscreenElement || doc.webkitFullscreenElement;
          link.title = active ? labels.exit : labels.enter;
          L.DomUtil[active ? "addClass" : "removeClass"](box, "lp-is-fullscreen");
          map.invalidateSize();
        }
        L.DomEvent.on(doc, "fullscreenchange webkitfullscreenchange", changed);
        return bar;
      },
    });
    return new Control().addTo(map);
  };

  var EARTH_RADIUS_M = 6378137;

  // Area on the sphere of a ring of LatLngs (spherical excess of the polygon, as Leaflet.draw's
  // geodesicArea computes it): good to a fraction of a percent at a zone's scale.
  function geodesicArea(points) {
    var area = 0;
    var n = points.length;
    if (n < 3) return 0;
    var rad = Math.PI / 180;
    for (var i = 0; i < n; i++) {
      var p1 = points[i];
      var p2 = points[(i + 1) % n];
      area += (p2.lng - p1.lng) * rad * (2 + Math.sin(p1.lat * rad) + Math.sin(p2.lat * rad));
    }
    return Math.abs((area * EARTH_RADIUS_M * EARTH_RADIUS_M) / 2);
  }
  lp.geodesicArea = geodesicArea;

  lp.measure = function (map, labels) {
    var state = { active: false, points: [], line: null, shape: null };
    var Control = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var box = el("div", "leaflet-bar leaflet-control lp-measure");
        var link = button(box, "", labels.start, toggle);
        var readout = el("div", "lp-measure-readout");
        readout.style.display = "none";
        box.appendChild(readout);
        state.readout = readout;
        state.link = link;
        L.DomEvent.disableClickPropagation(box);
        return box;
      },
    });

    function formatLength(m) {
      return m >= 1000 ? (m / 1000).toFixed(2) + " km" : m.toFixed(0) + " m";
    }

    function update() {
      var pts = state.points;
      var length = 0;
      for (var i = 1; i < pts.length; i++) length += map.distance(pts[i - 1], pts[i]);
      var area = geodesicArea(pts);
      state.length_m = length;
      state.area_m2 = area;
      var text = labels.length + ": " + formatLength(length);
      if (pts.length >= 3) {
        text +=
          "\n" + labels.area + ": " + (area / labels.mu_m2).toFixed(1) + " " + labels.mu +
          " (" + Math.round(area).toLocaleString("en") + " m\u00B2)";
      }
      if (!pts.length) text = labels.hint;
      state.readout.textContent = text;
      if (state.line) state.line.setLatLngs(pts);
      if (state.shape) state.shape.setLatLngs(pts.length >= 3 ? pts : []);
    }

    function onClick(e) {
      state.points.push(e.latlng);
      update();
    }

    function toggle() {
      state.active = !state.active;
      if (state.active) {
        state.points = [];
        state.line = L.polyline([], { color: "#d7191c", weight: 2, dashArray: "4 4" }).addTo(map);
        state.shape = L.polygon([], { color: "#d7191c", weight: 0, fillOpacity: 0.15 }).addTo(map);
        map.on("click", onClick);
        map.doubleClickZoom.disable();
        L.DomUtil.addClass(map.getContainer(), "lp-measuring");
        state.readout.style.display = "block";
        state.link.title = labels.stop;
        update();
      } else {
        map.off("click", onClick);
        map.doubleClickZoom.enable();
        L.DomUtil.removeClass(map.getContainer(), "lp-measuring");
        map.removeLayer(state.line);
        map.removeLayer(state.shape);
        state.readout.style.display = "none";
        state.link.title = labels.start;
      }
    }

    var control = new Control().addTo(map);
    control.state = state;
    control.toggle = toggle;
    lp.measureControl = control;
    return control;
  };

  // The map as a printed sheet: the map framed on the left with a north arrow and the metric
  // scale, a panel on the right holding the title block (map name, issuing office, date, data
  // as of) and the legend, outside the map; no zoom, layer, fullscreen or measure controls.
  lp.print = function (map, info) {
    var body = document.body;
    L.DomUtil.addClass(body, "lp-print");
    var box = map.getContainer();
    var panel = el("div", "lp-print-panel");
    var block = el("table", "lp-title-block");
    info.rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", null, row[0]));
      tr.appendChild(el("td", null, row[1]));
      block.appendChild(tr);
    });
    panel.appendChild(el("div", "lp-print-title", info.title));
    panel.appendChild(block);
    var legend = box.querySelector(".lp-legend");
    if (legend) {
      legend.parentNode.removeChild(legend);
      panel.appendChild(legend);
    }
    if (lp.notes && lp.notes.items.length) {
      var notes = el("div", "lp-sheet-notes");
      notes.appendChild(el("div", "lp-sheet-notes-title", lp.notes.title));
      var list = el("ol");
      lp.notes.items.forEach(function (item) {
        var li = el("li", null, item[1]);
        li.value = item[0];
        list.appendChild(li);
      });
      notes.appendChild(list);
      panel.insertBefore(notes, legend || null);
    }
    body.appendChild(panel);
    // A long legend or list of sites is set smaller until the panel holds it all.
    for (var size = 12; size > 7 && panel.scrollHeight > panel.clientHeight + 1; size -= 0.5) {
      panel.style.fontSize = size + "px";
      Array.prototype.forEach.call(panel.querySelectorAll(".lp-legend"), function (node) {
        node.style.fontSize = size + "px";
      });
    }
    var arrow = el("div", "lp-north");
    arrow.title = info.north;
    arrow.appendChild(el("div", "lp-north-n", info.north_letter));
    box.appendChild(arrow);
    map.invalidateSize({ animate: false });
    // Fractional zoom, so the data fill the framed map rather than the nearest tile level.
    map.options.zoomSnap = 0.1;
    if (lp.bounds) map.fitBounds(lp.bounds, { padding: [36, 36], animate: false });
    lp.printed = true;
  };

  window.addEventListener("error", function (e) {
    lp.errors.push(String(e.message));
  });
})();
