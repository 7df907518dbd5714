/// The dashboard's stylesheet and script, compiled into the binary (no build step, nothing fetched).
enum DashboardAssets {
    static let css = #"""
    :root { --ink: #1d2430; --muted: #5d6878; --line: #d9dee6; --bg: #f5f7fa; --card: #fff; --accent: #1f6feb;
            --driving: #1f9d55; --parked: #6b7280; --charging: #d97706; --asleep: #7c3aed; --bad: #c62828; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
    header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 20px; padding: 10px 20px; background: #111827; color: #fff; }
    header.top a { color: #dbe4f0; text-decoration: none; }
    header.top a.current, header.top a:hover { color: #fff; text-decoration: underline; }
    header.top .brand { font-weight: 700; color: #fff; }
    nav.tabs { display: flex; flex-wrap: wrap; gap: 14px; }
    main { padding: 16px 20px 40px; max-width: 1400px; margin: 0 auto; }
    h1 { font-size: 20px; margin: 4px 0 14px; } h2 { font-size: 16px; margin: 0 0 10px; } h3 { font-size: 14px; margin: 12px 0 6px; }
    .grid { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 16px; }
    .grid.even { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
    @media (max-width: 900px) { .grid, .grid.even { grid-template-columns: minmax(0, 1fr); } }
    section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px; margin-bottom: 16px; min-width: 0; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
    .scroll { overflow-x: auto; }
    code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
    pre { background: #f0f3f7; border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow: auto; max-height: 420px; white-space: pre-wrap; word-break: break-all; }
    button, .button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 6px; padding: 5px 10px; cursor: pointer; color: var(--ink); text-decoration: none; display: inline-block; }
    button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
    button.danger { color: var(--bad); border-color: #f0b4b4; }
    button:hover { filter: brightness(0.96); }
    input, select, textarea { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 5px; max-width: 100%; }
    textarea { width: 100%; min-height: 90px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
    form.inline { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; }
    form.inline label, .field { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); }
    .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
    .muted { color: var(--muted); } .bad { color: var(--bad); } .ok { color: var(--driving); }
    .pill { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #fff; background: var(--parked); }
    .pill.driving { background: var(--driving); } .pill.charging { background: var(--charging); } .pill.asleep { background: var(--asleep); }
    .pill.status2 { background: var(--driving); } .pill.status4 { background: var(--charging); } .pill.status5 { background: var(--bad); }
    #flash { position: sticky; top: 0; z-index: 5; margin: 0 0 12px; padding: 8px 12px; border-radius: 6px; display: none; }
    #flash.error { display: block; background: #fdecea; border: 1px solid #f5c2c0; color: var(--bad); }
    #flash.info { display: block; background: #e8f3ec; border: 1px solid #b7dfc5; color: #145c32; }
    figure { margin: 0 0 10px; }
    .map svg, .chart svg { width: 100%; height: auto; display: block; background: #eef2f6; border-radius: 6px; }
    .map .track { fill: none; stroke-width: 1.5; stroke-opacity: .55; }
    .map .car { stroke: #fff; stroke-width: 1.5; }
    .map .label { font-size: 10px; fill: var(--ink); }
    .map .region { font-size: 11px; fill: var(--muted); }
    .car.driving, .legend .driving { fill: var(--driving); } .car.parked, .legend .parked { fill: var(--parked); }
    .car.charging, .legend .charging { fill: var(--charging); } .car.asleep, .legend .asleep { fill: var(--asleep); }
    .track.driving { stroke: var(--driving); } .track.parked { stroke: var(--parked); } .track.charging { stroke: var(--charging); } .track.asleep { stroke: var(--asleep); }
    .chart .line { fill: none; stroke: var(--accent); stroke-width: 1.6; }
    .chart .axis { font-size: 10px; fill: var(--muted); }
    .chart .grid { stroke: #d5dbe3; stroke-width: .5; }
    .legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 6px; flex-wrap: wrap; }
    .legend svg { width: 10px; height: 10px; vertical-align: middle; }
    dl.kv { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 3px 14px; margin: 0; }
    dl.kv dt { color: var(--muted); } dl.kv dd { margin: 0; overflow-wrap: anywhere; }
    .clock .now { font-size: 18px; font-weight: 600; }
    tr.hidden { display: none; }
    """#

    static let js = #"""
    "use strict";
    (function () {
      const flash = document.getElementById("flash");
      function say(kind, text) {
        if (!flash) return;
        flash.className = kind;
        flash.textContent = text;
      }
      function fragments() { return Array.from(document.querySelectorAll("[data-fragment]")); }
      async function refresh(el) {
        const url = el.dataset.fragment + (el.dataset.query ? (el.dataset.fragment.includes("?") ? "&" : "?") + el.dataset.query : "");
        try {
          const response = await fetch(url, { headers: { "Accept": "text/html" } });
          if (response.ok) { el.innerHTML = await response.text(); el.dataset.loaded = String(Date.now()); }
        } catch (e) { /* the next tick retries */ }
      }
      function refreshAll() { fragments().forEach(refresh); }
      fragments().forEach(function (el) {
        const every = parseInt(el.dataset.every || "0", 10);
        if (every > 0) setInterval(function () { if (!document.hidden) refresh(el); }, every);
      });

      function setPath(target, path, value) {
        const keys = path.split(".");
        let node = target;
        for (let i = 0; i < keys.length - 1; i++) { node[keys[i]] = node[keys[i]] || {}; node = node[keys[i]]; }
        node[keys[keys.length - 1]] = value;
      }
      function formBody(form) {
        const body = {};
        for (const field of Array.from(form.elements)) {
          if (!field.name || field.disabled) continue;
          const type = field.dataset.type || "string";
          let value;
          if (field.type === "checkbox") value = field.checked;
          else if (field.value.trim() === "") continue;
          else if (type === "number") value = Number(field.value);
          else if (type === "json") value = JSON.parse(field.value);
          else if (type === "list") value = field.value.split(/[\s,]+/).filter(Boolean);
          else if (type === "numbers") value = field.value.split(/[\s,]+/).filter(Boolean).map(Number);
          else value = field.value.trim();
          setPath(body, field.name, value);
        }
        return body;
      }
      async function call(el, body) {
        const method = el.dataset.method || "POST";
        if (el.dataset.confirm && !window.confirm(el.dataset.confirm)) return;
        let response, payload = null;
        try {
          response = await fetch(el.dataset.api, {
            method: method,
            headers: body === undefined ? {} : { "Content-Type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const text = await response.text();
          try { payload = text ? JSON.parse(text) : null; } catch (e) { payload = null; }
        } catch (e) { say("error", "fleetmock did not answer: " + e); return; }
        if (!response.ok) {
          const error = payload && payload.error;
          say("error", response.status + " " + (error ? (error.code + ": " + error.message + (error.field ? " (" + error.field + ")" : "")) : response.statusText));
          return;
        }
        say("info", el.dataset.done || (method + " " + el.dataset.api + ": " + response.status));
        if (el.dataset.go) {
          const id = payload && payload.id ? encodeURIComponent(payload.id) : "";
          window.location.href = el.dataset.go.replace("{id}", id);
        } else if (el.dataset.then === "reload") {
          window.location.reload();
        } else {
          refreshAll();
        }
      }
      document.addEventListener("submit", function (event) {
        const form = event.target.closest("form[data-api]");
        if (!form) return;
        event.preventDefault();
        let body;
        try { body = formBody(form); } catch (e) { say("error", "not valid JSON: " + e.message); return; }
        call(form, body);
      });
      document.addEventListener("click", function (event) {
        const button = event.target.closest("button[data-api]");
        if (button && !button.form) {
          event.preventDefault();
          let body;
          if (button.dataset.body) { try { body = JSON.parse(button.dataset.body); } catch (e) { say("error", "bad body"); return; } }
          call(button, body);
          return;
        }
        const copy = event.target.closest("button[data-copy]");
        if (copy) {
          const source = document.getElementById(copy.dataset.copy);
          const text = source ? source.textContent : "";
          const done = function () { say("info", "copied"); };
          if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, function () {});
          else { const area = document.createElement("textarea"); area.value = text; document.body.appendChild(area); area.select(); document.execCommand("copy"); area.remove(); done(); }
          return;
        }
        const use = event.target.closest("button[data-use-catalog]");
        if (use) {
          const field = document.getElementById("rule-catalog");
          if (field) { field.value = use.dataset.useCatalog; field.focus(); }
        }
      });
      // Catalogue search and filters.
      const search = document.getElementById("catalog-search");
      const vendor = document.getElementById("catalog-vendor");
      const service = document.getElementById("catalog-service");
      function filterCatalog() {
        const words = (search ? search.value : "").toLowerCase().split(/\s+/).filter(Boolean);
        const v = vendor ? vendor.value : "", s = service ? service.value : "";
        document.querySelectorAll("tr[data-search]").forEach(function (row) {
          const hay = row.dataset.search;
          const show = words.every(function (w) { return hay.includes(w); }) && (!v || row.dataset.vendor === v) && (!s || row.dataset.service === s);
          row.classList.toggle("hidden", !show);
        });
      }
      if (search) search.addEventListener("input", filterCatalog);
      if (vendor) vendor.addEventListener("change", filterCatalog);
      if (service) service.addEventListener("change", filterCatalog);
      // Filters that narrow a live fragment (the journal).
      document.querySelectorAll("form[data-filter-for]").forEach(function (form) {
        const target = document.getElementById(form.dataset.filterFor);
        function apply() {
          const params = new URLSearchParams();
          for (const field of Array.from(form.elements)) { if (field.name && field.value.trim()) params.set(field.name, field.value.trim()); }
          target.dataset.query = params.toString();
          refresh(target);
        }
        form.addEventListener("input", apply);
        form.addEventListener("change", apply);
        form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
      });
    })();
    """#
}
