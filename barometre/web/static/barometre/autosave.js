/* barometre: autosave of the questionnaire page (progressive enhancement; the page works without it).
 * Changed fields are posted ~1 s after the last change, and with navigator.sendBeacon when the tab
 * is hidden or closed. The server answers with the new version; a version conflict is shown and
 * never overwritten silently. Skip logic is re-applied from the server's list of relevant questions.
 */
(function () {
  "use strict";
  // After a post with errors, bring keyboard and screen-reader focus to the error summary.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var form = document.getElementById("questionnaire-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var versionInput = form.querySelector("input[name=version]");
  var baseInput = form.querySelector("input[name=base]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var base = {};
  try { base = JSON.parse(baseInput.value || "{}"); } catch (e) { base = {}; }
  var dirty = {};
  var timer = null;
  var inFlight = false;
  var blocked = false;

  function say(text) { if (status) { status.textContent = text; } }

  function questionOf(element) {
    var box = element.closest("[data-question]");
    return box ? box.getAttribute("data-question") : null;
  }

  function payload() {
    var ids = Object.keys(dirty);
    if (!ids.length) { return null; }
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("version", versionInput.value);
    var sentBase = {};
    ids.forEach(function (id) {
      sentBase[id] = Object.prototype.hasOwnProperty.call(base, id) ? base[id] : "";
      form.querySelectorAll("[name='" + id + "']").forEach(function (input) {
        if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
        data.append(id, input.value);
      });
    });
    data.append("fields", ids.join(" "));
    data.append("base", JSON.stringify(sentBase));
    return data;
  }

  function showConflict(message) {
    blocked = true;
    var box = document.getElementById("autosave-conflict");
    if (!box) {
      box = document.createElement("div");
      box.id = "autosave-conflict";
      box.className = form.getAttribute("data-alert-class") || "b-alert b-alert--error";
      box.setAttribute("role", "alert");
      var text = document.createElement("p");
      text.textContent = message;
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = "Recharger la page pour voir la version enregistrée";
      var p2 = document.createElement("p");
      p2.appendChild(link);
      box.appendChild(text);
      box.appendChild(p2);
      form.parentNode.insertBefore(box, form);
    }
    say("Enregistrement automatique interrompu : modification simultanée.");
  }

  function applyRelevance(relevant) {
    var set = {};
    relevant.forEach(function (id) { set[id] = true; });
    form.querySelectorAll("[data-question]").forEach(function (box) {
      box.hidden = !set[box.getAttribute("data-question")];
    });
  }

  function save() {
    timer = null;
    if (inFlight || blocked) { if (!blocked) { schedule(); } return; }
    var data = payload();
    if (!data) { return; }
    var sent = dirty;
    dirty = {};
    inFlight = true;
    say("Enregistrement…");
    fetch(url, {
      // keepalive: a save still in flight when the tab closes is completed by the browser.
      method: "POST", body: data, credentials: "same-origin", keepalive: true,
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        return { code: response.status, json: { message: "" } };
      }
      return response.json().then(function (json) { return { code: response.status, json: json }; });
    }).then(function (result) {
      inFlight = false;
      var json = result.json;
      if (result.code === 404 || result.code === 423 || result.code === 403) {
        blocked = true;
        say(json.message || "Enregistrement automatique impossible : le lien n'est plus valide ou la collecte est close. Rechargez la page.");
        return;
      }
      if (result.code === 409) { showConflict(json.message); return; }
      if (result.code !== 200) { say(json.message || "Enregistrement impossible pour le moment."); return; }
      versionInput.value = json.version;
      Object.keys(json.base).forEach(function (id) { if (!dirty[id]) { base[id] = json.base[id]; } });
      baseInput.value = JSON.stringify(base);
      applyRelevance(json.relevant);
      if (Object.keys(json.invalid || {}).length) {
        say("Certaines réponses ne sont pas valides et n'ont pas été enregistrées : utilisez le bouton « Enregistrer » pour les voir.");
      } else {
        say("Réponses enregistrées à " + json.saved_at + ".");
      }
    }).catch(function () {
      inFlight = false;
      Object.keys(sent).forEach(function (id) { dirty[id] = true; });
      say("Connexion interrompue : vos réponses seront enregistrées dès que possible.");
      schedule();
    });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1000);
  }

  function changed(event) {
    var id = questionOf(event.target);
    if (!id || blocked) { return; }
    dirty[id] = true;
    schedule();
  }

  function flush() {
    // The page is going away: hand the pending changes to the browser, which sends them anyway.
    if (blocked || !navigator.sendBeacon) { return; }
    var data = payload();
    if (data && navigator.sendBeacon(url, data)) { dirty = {}; }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    if (timer) { clearTimeout(timer); timer = null; }
    dirty = {};
    blocked = true;
    baseInput.value = JSON.stringify(base);
  });
  document.addEventListener("visibilitychange", function () {
    // Hidden tab (switched or closing): save now, with a request that outlives the page.
    if (document.visibilityState === "hidden") {
      if (timer) { clearTimeout(timer); timer = null; }
      if (inFlight) { flush(); } else { save(); }
    }
  });
  window.addEventListener("pagehide", flush);
})();
