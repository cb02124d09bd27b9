// The console's own script: the Today page's maps, drag-to-reorder and
// optimisation, the customer form's location map, and forms that submit
// themselves. No inline script anywhere: the page's data is in data-*
// attributes, which this file reads.
"use strict";

(function () {
  var body = document.body;
  var csrf = body.dataset.csrf || "";
  var tiles = body.dataset.tiles || "";
  var attribution = body.dataset.attribution || "";

  // Forms marked data-autosubmit submit when a field changes.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (f) {
    f.addEventListener("change", function () { f.submit(); });
  });

  // post sends JSON to one of the console's calls with the CSRF token and
  // resolves to the answer's JSON, or rejects with its message.
  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(data)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) {
        if (!res.ok) {
          var msg = j.message || ("The server answered " + res.status + ".");
          if (j.errors && j.errors.length) {
            msg += " " + j.errors.map(function (e) { return e.field + " " + e.message; }).join("; ");
          }
          throw new Error(msg);
        }
        return j;
      });
    });
  }

  function say(text, isError) {
    var s = document.getElementById("status");
    if (!s) { return; }
    s.textContent = text;
    s.classList.toggle("error", !!isError);
  }

  // newMap makes a Leaflet map on el: with tiles when the server has a
  // tile URL, else markers and lines on a plain background.
  function newMap(el) {
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: !!tiles });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: attribution }).addTo(map);
    } else {
      el.classList.add("plain");
    }
    return map;
  }

  function latLng(lat, lon) {
    var a = parseFloat(lat), b = parseFloat(lon);
    if (isNaN(a) || isNaN(b)) { return null; }
    return L.latLng(a, b);
  }

  var statusColour = { planned: "#3b6fb6", checked_in: "#e08a00", done: "#2e8b3a", skipped: "#8a8a8a" };
  var checkColour = { verified: "#2e8b3a", unverified: "#c62828", unverifiable: "#8a8a8a" };

  // A team's day: its list, its map, and the proposal being looked at.
  function TeamDay(section) {
    this.section = section;
    this.teamID = parseInt(section.dataset.teamId, 10);
    this.date = section.dataset.date;
    this.list = section.querySelector("ol.stops");
    this.mapEl = section.querySelector(".map");
    this.map = newMap(this.mapEl);
    this.layer = L.layerGroup().addTo(this.map);
    this.proposal = null;
    this.draw(true);
    this.wire();
  }

  TeamDay.prototype.stops = function () {
    return Array.prototype.slice.call(this.list.querySelectorAll("li.stop"));
  };

  // draw puts the numbered markers (coloured by status), the route line in
  // seq order and each check-in point beside its customer on the map.
  TeamDay.prototype.draw = function (fit) {
    var self = this;
    this.layer.clearLayers();
    var route = [], bounds = [];
    this.stops().forEach(function (li) {
      var at = latLng(li.dataset.lat, li.dataset.lon);
      var status = li.dataset.status;
      if (at) {
        var icon = L.divIcon({
          className: "stop-marker status-" + status,
          html: "<span>" + li.dataset.seq + "</span>",
          iconSize: [26, 26], iconAnchor: [13, 13]
        });
        var m = L.marker(at, { icon: icon, title: li.dataset.seq + ". " + li.dataset.name, keyboard: false });
        m.on("add", function () {
          var el = m.getElement();
          el.dataset.visitId = li.dataset.visitId;
          el.dataset.seq = li.dataset.seq;
          el.dataset.status = status;
        });
        m.addTo(self.layer);
        bounds.push(at);
        if (status !== "skipped") { route.push(at); }
      }
      var ci = latLng(li.dataset.checkinLat, li.dataset.checkinLon);
      if (ci) {
        var v = li.dataset.checkinVerification || "unverifiable";
        var c = L.circleMarker(ci, { radius: 6, weight: 2, color: checkColour[v] || "#555", fillOpacity: 0.6, className: "checkin checkin-" + v });
        var label = v === "unverified" ? "unverified, " + li.dataset.checkinDistance + " m away" : v;
        c.bindTooltip(li.dataset.seq + ". check-in: " + label);
        c.addTo(self.layer);
        if (at) {
          L.polyline([at, ci], { color: checkColour[v] || "#555", weight: 1, dashArray: "2 4", className: "checkin-leg" }).addTo(self.layer);
        }
        bounds.push(ci);
      }
    });
    if (route.length > 1) {
      L.polyline(route, { color: "#1f3d7a", weight: 3, opacity: 0.8, className: "route" }).addTo(this.layer);
    }
    if (this.proposal) {
      var byID = {};
      this.stops().forEach(function (li) { byID[li.dataset.visitId] = li; });
      var proposed = [];
      this.proposal.visit_ids.forEach(function (id) {
        var li = byID[id];
        if (!li || li.dataset.status === "skipped") { return; }
        var at = latLng(li.dataset.lat, li.dataset.lon);
        if (at) { proposed.push(at); }
      });
      if (proposed.length > 1) {
        L.polyline(proposed, { color: "#c2185b", weight: 3, dashArray: "8 6", className: "route-proposed" }).addTo(this.layer);
      }
    }
    if (fit) {
      if (bounds.length) {
        this.map.fitBounds(L.latLngBounds(bounds).pad(0.15), { maxZoom: 16 });
      } else {
        this.map.setView([0, 0], 1);
      }
    }
  };

  // renumber sets each row's seq from its place in the list.
  TeamDay.prototype.renumber = function (seqs) {
    this.stops().forEach(function (li, i) {
      var seq = seqs ? seqs[li.dataset.visitId] : i + 1;
      li.dataset.seq = seq;
      li.querySelector(".seq").textContent = seq;
    });
  };

  // save stores the list's order as the day's (the rules of PUT
  // /visits/sequence), or puts the list back as the server has it.
  TeamDay.prototype.save = function () {
    var self = this;
    var ids = this.stops().map(function (li) { return parseInt(li.dataset.visitId, 10); });
    this.section.classList.add("busy");
    return post("/console/today/sequence", { date: this.date, team_id: this.teamID, visit_ids: ids }).then(function (res) {
      var seqs = {};
      res.data.forEach(function (v) { seqs[v.id] = v.seq; });
      self.renumber(seqs);
      self.clearProposal();
      self.draw(false);
      self.section.classList.remove("busy");
      self.section.dataset.saved = String(Date.now());
      say("Saved the new order.");
    }).catch(function (err) {
      say("Not saved: " + err.message + " Reloading the day as it is.", true);
      window.setTimeout(function () { window.location.reload(); }, 1500);
    });
  };

  TeamDay.prototype.clearProposal = function () {
    this.proposal = null;
    var p = this.section.querySelector(".proposal");
    if (p) { p.hidden = true; }
    this.section.classList.remove("proposing");
  };

  TeamDay.prototype.optimise = function () {
    var self = this;
    say("Optimising…");
    post("/console/today/optimize", { date: this.date, team_id: this.teamID }).then(function (res) {
      self.proposal = res;
      var p = self.section.querySelector(".proposal");
      var saved = res.distance_m_before - res.distance_m_after;
      p.querySelector(".proposal-text").textContent = "Distance " + km(res.distance_m_before) + " → " + km(res.distance_m_after) +
        (saved > 0 ? " (" + km(saved) + " shorter; new order dashed)" : " (already the shortest found)");
      p.dataset.before = res.distance_m_before;
      p.dataset.after = res.distance_m_after;
      p.hidden = false;
      self.section.classList.add("proposing");
      self.draw(false);
      say("");
    }).catch(function (err) { say("Could not optimise: " + err.message, true); });
  };

  TeamDay.prototype.apply = function () {
    say("Applying…");
    post("/console/today/optimize", { date: this.date, team_id: this.teamID, apply: true }).then(function () {
      window.location.reload();
    }).catch(function (err) { say("Not applied: " + err.message, true); });
  };

  TeamDay.prototype.wire = function () {
    var self = this;
    if (window.Sortable) {
      // The fallback drags with pointer events, not the browser's own
      // drag and drop: the same on every browser, and drivable in tests.
      window.Sortable.create(this.list, {
        handle: ".handle", animation: 120, forceFallback: true, fallbackTolerance: 3,
        onEnd: function (ev) { if (ev.oldIndex !== ev.newIndex) { self.renumber(); self.draw(false); self.save(); } }
      });
    }
    this.list.addEventListener("click", function (ev) {
      var b = ev.target.closest("button");
      if (!b) { return; }
      var li = b.closest("li.stop");
      if (b.classList.contains("up") && li.previousElementSibling) {
        self.list.insertBefore(li, li.previousElementSibling);
      } else if (b.classList.contains("down") && li.nextElementSibling) {
        self.list.insertBefore(li.nextElementSibling, li);
      } else {
        return;
      }
      self.renumber();
      self.draw(false);
      self.save();
    });
    var opt = this.section.querySelector("button.optimise");
    if (opt) { opt.addEventListener("click", function () { self.optimise(); }); }
    var apply = this.section.querySelector("button.apply");
    if (apply) { apply.addEventListener("click", function () { self.apply(); }); }
    var discard = this.section.querySelector("button.discard");
    if (discard) { discard.addEventListener("click", function () { self.clearProposal(); self.draw(false); }); }
  };

  function km(m) { return (m / 1000).toFixed(1) + " km"; }

  if (body.dataset.page === "today" && window.L) {
    document.querySelectorAll("section.team").forEach(function (s) {
      if (s.querySelector("ol.stops")) { s.teamDay = new TeamDay(s); }
    });
    body.dataset.ready = "1";
  }

  // The customer form: a click on the map sets the location fields, and
  // the marker follows fields typed by hand.
  var picker = document.getElementById("location-map");
  if (picker && window.L) {
    var lat = document.querySelector("input[name='location.lat']");
    var lon = document.querySelector("input[name='location.lon']");
    var map = newMap(picker);
    var marker = null;
    var place = function (at, pan) {
      if (!at || Math.abs(at.lat) > 90 || Math.abs(at.lng) > 180) {
        if (marker) { marker.remove(); marker = null; }
        return;
      }
      if (!marker) {
        marker = L.circleMarker(at, { radius: 8, weight: 2, color: "#1f3d7a", fillOpacity: 0.6, className: "location-marker" }).addTo(map);
      } else {
        marker.setLatLng(at);
      }
      if (pan) { map.setView(at, Math.max(map.getZoom() || 0, 14)); }
    };
    var start = latLng(lat.value, lon.value);
    if (start && Math.abs(start.lat) <= 90) {
      map.setView(start, 15);
      place(start, false);
    } else {
      map.setView([-6.99, 110.42], 11); // Semarang, until the first click
    }
    map.on("click", function (ev) {
      lat.value = ev.latlng.lat.toFixed(6);
      lon.value = L.Util.wrapNum(ev.latlng.lng, [-180, 180], true).toFixed(6);
      place(latLng(lat.value, lon.value), false);
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () { place(latLng(lat.value, lon.value), true); });
    });
    body.dataset.ready = "1";
  }
})();
