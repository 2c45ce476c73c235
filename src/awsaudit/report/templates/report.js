(function () {
  "use strict";
  // Findings arrive as data, never as markup: every value reaches the page through textContent.
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var checks = data.checks;
  var rows = data.findings;
  // Row layout (see html_report.py): check, status, original status, severity, account, region,
  // resource, message, evidence, suppression [reason, owner, expires] or null, finding id,
  // resource name (its Name tag) or null, fix steps [[summary, [command, …]], …].
  var CHECK = 0, STATUS = 1, ORIGINAL = 2, SEVERITY = 3, ACCOUNT = 4, REGION = 5, RESOURCE = 6,
    MESSAGE = 7, EVIDENCE = 8, SUPPRESSION = 9, ID = 10, NAME = 11, FIX = 12;
  // Check layout: id, title, default severity, service, remediation, rationale, references,
  // framework indexes, mapped controls ("<framework title> <control id>").
  var C_SEVERITY = 2, C_CONTROLS = 8;
  var PAGE_SIZE = 100;
  var SEVERITY_RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
  var STATUS_RANK = { FAIL: 4, UNKNOWN: 3, MANUAL: 2, SUPPRESSED: 1, PASS: 0 };

  // Status starts at what the page selected: FAIL when anything fails, so the first screen is the work.
  var filters = { status: document.getElementById("f-status").value, severity: "", service: "", account: "",
    region: "", framework: "", search: "", checks: null };
  var sortKey = "severity";
  var sortDirection = -1;
  var ordered = [];   // every row index, in the current sort order
  var visible = [];   // the filtered subset of ordered
  var page = 0;
  var expanded = Object.create(null);
  var haystacks = null;

  function $(id) { return document.getElementById(id); }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function sortValue(index, key) {
    var row = rows[index];
    switch (key) {
      case "severity": return SEVERITY_RANK[row[SEVERITY]];
      case "status": return STATUS_RANK[row[STATUS]];
      case "check": return checks[row[CHECK]][0];
      case "resource": return row[RESOURCE];
      case "region": return row[REGION];
      default: return row[ACCOUNT];
    }
  }

  function compareBase(a, b) {
    // Worst first, then by check and resource, so equal keys keep a meaningful order.
    return (SEVERITY_RANK[rows[b][SEVERITY]] - SEVERITY_RANK[rows[a][SEVERITY]]) ||
      (STATUS_RANK[rows[b][STATUS]] - STATUS_RANK[rows[a][STATUS]]) ||
      (rows[a][CHECK] - rows[b][CHECK]) ||
      (rows[a][RESOURCE] < rows[b][RESOURCE] ? -1 : rows[a][RESOURCE] > rows[b][RESOURCE] ? 1 : 0);
  }

  function sortRows() {
    var values = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) { values[i] = sortValue(i, sortKey); }
    ordered = new Array(rows.length);
    for (var j = 0; j < rows.length; j++) { ordered[j] = j; }
    ordered.sort(function (a, b) {
      var x = values[a], y = values[b];
      if (x < y) { return -sortDirection; }
      if (x > y) { return sortDirection; }
      return compareBase(a, b);
    });
  }

  function buildHaystacks() {
    haystacks = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i], check = checks[row[CHECK]];
      haystacks[i] = [check[0], check[1], row[RESOURCE], row[NAME] || "", row[MESSAGE], row[REGION], row[ACCOUNT],
        row[STATUS], row[SUPPRESSION] ? row[SUPPRESSION][0] : ""].join("\n").toLowerCase();
    }
  }

  function applyFilters() {
    var terms = filters.search.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length && haystacks === null) { buildHaystacks(); }
    var framework = filters.framework === "" ? -1 : Number(filters.framework);
    var result = [];
    for (var k = 0; k < ordered.length; k++) {
      var i = ordered[k], row = rows[i], check = checks[row[CHECK]];
      if (filters.status && row[STATUS] !== filters.status) { continue; }
      if (filters.checks && !filters.checks[check[0]]) { continue; }
      if (filters.severity && row[SEVERITY] !== filters.severity) { continue; }
      if (filters.service && check[3] !== filters.service) { continue; }
      if (filters.account && row[ACCOUNT] !== filters.account) { continue; }
      if (filters.region && row[REGION] !== filters.region) { continue; }
      if (framework >= 0 && check[7].indexOf(framework) < 0) { continue; }
      if (terms.length) {
        var haystack = haystacks[i], matched = true;
        for (var t = 0; t < terms.length; t++) {
          if (haystack.indexOf(terms[t]) < 0) { matched = false; break; }
        }
        if (!matched) { continue; }
      }
      result.push(i);
    }
    visible = result;
    page = 0;
    render();
  }

  function detailRow(index) {
    var row = rows[index], check = checks[row[CHECK]];
    var tr = element("tr", null, "detail");
    var td = element("td");
    td.colSpan = 7;
    td.appendChild(element("h4", check[1]));
    td.appendChild(element("p", row[MESSAGE]));
    if (row[SUPPRESSION]) {
      var s = row[SUPPRESSION];
      td.appendChild(element("h4", "Suppressed (the check judged " + row[ORIGINAL] + ")"));
      td.appendChild(element("p", s[0] + (s[1] ? " — owner " + s[1] : "") + (s[2] ? " — expires " + s[2] : "")));
    }
    if (row[SEVERITY] !== check[C_SEVERITY]) {
      td.appendChild(element("h4", "Severity " + row[SEVERITY] + " (the check's default is " + check[C_SEVERITY] + ")"));
      td.appendChild(element("p", "The evidence changed this finding's severity: " + row[MESSAGE], "severity-reason"));
    }
    if (check[4]) {
      td.appendChild(element("h4", "Remediation"));
      td.appendChild(element("p", check[4]));
    }
    (row[FIX] || []).forEach(function (step) {
      td.appendChild(element("h4", "Fix: " + step[0]));
      var commands = step[1].join("\n");
      var block = element("div", null, "fix");
      var pre = element("pre", commands, "fix-commands");
      var copy = element("button", "Copy", "copy");
      copy.type = "button";
      copy.addEventListener("click", function (event) {
        event.stopPropagation();
        copyText(pre, copy);
      });
      block.appendChild(copy);
      block.appendChild(pre);
      td.appendChild(block);
    });
    if (check[C_CONTROLS] && check[C_CONTROLS].length) {
      td.appendChild(element("h4", "Controls"));
      td.appendChild(element("p", check[C_CONTROLS].join("; "), "controls-mapped"));
    }
    if (check[5]) {
      td.appendChild(element("h4", "Why it matters"));
      td.appendChild(element("p", check[5]));
    }
    if (check[6].length) {
      td.appendChild(element("h4", "References"));
      var list = element("ul");
      check[6].forEach(function (reference) {
        var item = element("li", null, "mono");
        if (/^https:\/\//.test(reference)) {
          var link = element("a", reference);
          link.href = reference;
          link.target = "_blank";
          link.rel = "noopener noreferrer";
          item.appendChild(link);
        } else {
          item.textContent = reference;
        }
        list.appendChild(item);
      });
      td.appendChild(list);
    }
    td.appendChild(element("h4", "Evidence"));
    td.appendChild(element("pre", JSON.stringify(row[EVIDENCE], null, 2)));
    td.appendChild(element("p", "Finding " + row[ID] + " · check " + check[0], "muted mono"));
    tr.appendChild(td);
    return tr;
  }

  function copyText(pre, button) {
    function copied(ok) { button.textContent = ok ? "Copied" : "Selected: press Ctrl+C"; }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(pre);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (ignored) { ok = false; }
      copied(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(pre.textContent).then(function () { copied(true); }, fallback);
    } else {
      fallback();
    }
  }

  function showControlFilter(label) {
    $("control-filter").hidden = !label;
    $("control-filter-label").textContent = label ? "Findings of " + label : "";
  }

  function setStatus(value) {
    filters.status = value;
    $("f-status").value = value;
  }

  function filterByChecks(ids, label, status) {
    filters.checks = Object.create(null);
    ids.forEach(function (id) { if (id) { filters.checks[id] = true; } });
    setStatus(status);
    showControlFilter(label);
    applyFilters();
    $("findings").scrollIntoView();
  }

  function revealFinding(id) {
    var index = -1;
    for (var i = 0; i < rows.length; i++) { if (rows[i][ID] === id) { index = i; break; } }
    if (index < 0) { return; }
    filters.checks = null;
    filters.search = "";
    $("f-search").value = "";
    ["severity", "service", "account", "region", "framework"].forEach(function (name) {
      filters[name] = "";
      $("f-" + name).value = "";
    });
    setStatus("");
    showControlFilter("");
    applyFilters();
    var position = visible.indexOf(index);
    page = Math.floor(position / PAGE_SIZE);
    expanded[index] = true;
    render();
    var row = document.querySelector("#findings-body tr.finding[data-index='" + index + "']");
    if (row) { row.scrollIntoView({ block: "center" }); }
  }

  function findingRow(index) {
    var row = rows[index];
    var tr = element("tr", null, "finding");
    tr.dataset.index = String(index);
    tr.appendChild(element("td", row[SEVERITY]));
    tr.appendChild(element("td", row[STATUS], "status s-" + row[STATUS]));
    tr.appendChild(element("td", checks[row[CHECK]][0], "mono"));
    var resource = element("td", row[RESOURCE], "mono");
    if (row[NAME]) { resource.appendChild(element("div", row[NAME], "resource-name")); }
    tr.appendChild(resource);
    tr.appendChild(element("td", row[REGION]));
    tr.appendChild(element("td", row[ACCOUNT]));
    tr.appendChild(element("td", row[MESSAGE]));
    return tr;
  }

  function pager(container, pages) {
    var controls = [
      ["« First", 0], ["‹ Previous", page - 1], ["Next ›", page + 1], ["Last »", pages - 1]
    ];
    var nodes = [];
    controls.forEach(function (control) {
      var button = element("button", control[0]);
      button.type = "button";
      button.disabled = control[1] < 0 || control[1] >= pages || control[1] === page;
      button.addEventListener("click", function () { page = control[1]; render(); });
      nodes.push(button);
    });
    nodes.splice(2, 0, element("span", "Page " + (pages ? page + 1 : 0) + " of " + pages));
    container.replaceChildren.apply(container, nodes);
  }

  function render() {
    var pages = Math.ceil(visible.length / PAGE_SIZE);
    var start = page * PAGE_SIZE, end = Math.min(visible.length, start + PAGE_SIZE);
    var fragment = document.createDocumentFragment();
    for (var k = start; k < end; k++) {
      fragment.appendChild(findingRow(visible[k]));
      if (expanded[visible[k]]) { fragment.appendChild(detailRow(visible[k])); }
    }
    $("findings-body").replaceChildren(fragment);
    var shown = visible.length ? (start + 1) + "–" + end : "0";
    $("count").textContent = "Showing " + shown + " of " + visible.length + " matching (" + rows.length + " findings)";
    $("print-note").textContent = "Findings " + shown + " of " + visible.length + " matching the filters at print time.";
    pager($("pager-top"), pages);
    pager($("pager-bottom"), pages);
  }

  function toggle(event) {
    var tr = event.target.closest("tr.finding");
    if (!tr) { return; }
    var index = Number(tr.dataset.index);
    if (expanded[index]) { delete expanded[index]; } else { expanded[index] = true; }
    render();
  }

  function sortFindings(th) {
    var key = th.dataset.key;
    sortDirection = key === sortKey ? -sortDirection : (key === "severity" || key === "status" ? -1 : 1);
    sortKey = key;
    document.querySelectorAll("#findings-table th.sortable").forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", sortDirection > 0 ? "ascending" : "descending");
    sortRows();
    applyFilters();
  }

  function sortStaticTable(th) {
    var table = th.closest("table");
    var column = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var sorted = Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var order = a.cells[column].textContent.localeCompare(b.cells[column].textContent, undefined, { numeric: true });
      return ascending ? order : -order;
    });
    body.replaceChildren.apply(body, sorted);
  }

  var searchTimer = null;
  ["status", "severity", "service", "account", "region", "framework"].forEach(function (name) {
    $("f-" + name).addEventListener("change", function (event) {
      filters[name] = event.target.value;
      applyFilters();
    });
  });
  $("f-search").addEventListener("input", function (event) {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      filters.search = event.target.value;
      applyFilters();
    }, 120);
  });
  $("findings-body").addEventListener("click", toggle);
  document.querySelectorAll("#fix-first a.cause-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      filterByChecks([link.dataset.check], link.dataset.check, "FAIL");
    });
  });
  document.querySelectorAll("#fix-first a.finding-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      revealFinding(link.dataset.finding);
    });
  });
  document.querySelectorAll("tr.control-row").forEach(function (row) {
    row.addEventListener("click", function () {
      filterByChecks(row.dataset.checks.split(" "), row.dataset.control, "");
    });
  });
  $("control-filter-clear").addEventListener("click", function () {
    filters.checks = null;
    showControlFilter("");
    applyFilters();
  });
  document.querySelectorAll("#findings-table th.sortable").forEach(function (th) {
    th.addEventListener("click", function () { sortFindings(th); });
  });
  document.querySelectorAll("table.sortable-table th.sortable").forEach(function (th) {
    th.addEventListener("click", function () { sortStaticTable(th); });
  });

  sortRows();
  applyFilters();
  document.body.dataset.ready = "true";
})();
