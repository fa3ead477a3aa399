/* HLP-2: the session's idle timeout, announced before it ends, and the drafts of forms kept across it.
 *
 * Progressive enhancement: without this script the pages work as before. Every text it shows is in the
 * page (templates/base.html, templates/registration/login.html), translated; none is written here.
 *
 * The timer. A signed-in page carries, on <body>, the idle timeout, the warning's lead, the server's
 * activity granularity (all in seconds), the keep-alive's address and a key naming the person (an HMAC
 * of the user's id). Nothing per request: the page may come whole from the page cache. The browser
 * counts from the last request it knows of (a page loaded, a *Rester connecté*), shared by the tabs of
 * the same person through localStorage. The server records activity at most once a minute (the
 * granularity), so the session may end up to that long before "idle timeout after the last request":
 * the deadline counted here is that earliest end, and the warning comes `lead` before it. At the
 * deadline the script keeps the drafts and signs out (the sign-out form's address, with the way back),
 * so the sign-in page says the session expired and the session never outlives what the page said.
 *
 * The drafts. What is typed in a page's forms (method post, in <main>) is kept in sessionStorage, so in
 * this tab only and until it closes, tagged with the person's key; never a password, a hidden or file
 * field, a field marked data-brouillon="non" (a SIN, a bank account number) or one the browser is told
 * not to remember (autocomplete off, one-time codes). A draft is dropped when its form was sent and the
 * next page is a signed-in one, on sign-out, and when another person's page loads in the tab. A draft
 * whose page ended on the sign-in page (a form sent after the session ended, a link followed, the
 * timer) is kept, and put back when the same person opens that page again, with a notice naming the
 * fields to type again.
 */
(function () {
  "use strict";

  var PREFIX = "mondossier.";
  var DRAFT = PREFIX + "brouillon:";          // sessionStorage: DRAFT + path + "#" + form index -> draft
  var SENT = PREFIX + "envoi";                // sessionStorage: the draft of the form being sent
  var SIGNED_IN = PREFIX + "connecte";        // sessionStorage: this tab last showed a signed-in page
  var ACTIVITY = PREFIX + "activite:";        // localStorage: + key -> time of the last request (ms)
  var SIGNED_OUT = PREFIX + "deconnexion:";   // localStorage: + key -> time of a sign-out (ms)
  var INTERRUPTED = "interrompu";
  var TYPING = "saisie";
  var NOT_KEPT_TYPES = ["hidden", "password", "file", "submit", "button", "reset", "image"];
  var NOT_KEPT_AUTOCOMPLETE = ["off", "one-time-code", "new-password", "current-password"];

  function storage(name) {
    try {
      var store = window[name];
      store.setItem(PREFIX + "essai", "1");
      store.removeItem(PREFIX + "essai");
      return store;
    } catch (error) {
      return null;  // private browsing, storage refused: no drafts, a timer per tab
    }
  }

  var tab = storage("sessionStorage");
  var shared = storage("localStorage");

  function read(store, name) {
    if (!store) return null;
    try {
      return JSON.parse(store.getItem(name));
    } catch (error) {
      return null;
    }
  }

  function write(store, name, value) {
    if (!store) return;
    try {
      store.setItem(name, JSON.stringify(value));
    } catch (error) {
      // Full: the draft is not kept, the page goes on.
    }
  }

  function remove(store, name) {
    if (store) store.removeItem(name);
  }

  function draftNames() {
    var names = [];
    if (!tab) return names;
    for (var i = 0; i < tab.length; i++) {
      var name = tab.key(i);
      if (name && name.indexOf(DRAFT) === 0) names.push(name);
    }
    return names;
  }

  function dropAllDrafts() {
    draftNames().forEach(function (name) { remove(tab, name); });
    remove(tab, SENT);
  }

  function interruptAllDrafts() {
    var kept = 0;
    draftNames().forEach(function (name) {
      var draft = read(tab, name);
      if (!draft) return remove(tab, name);
      draft.etat = INTERRUPTED;
      write(tab, name, draft);
      kept++;
    });
    return kept;
  }

  // --- The fields of a form -------------------------------------------------------------------------

  function editable(field) {
    return field.name && !field.disabled && /^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName) &&
      NOT_KEPT_TYPES.indexOf((field.type || "").toLowerCase()) < 0;
  }

  function kept(field) {
    if (!field.name || field.disabled || !/^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName)) return false;
    if (NOT_KEPT_TYPES.indexOf((field.type || "").toLowerCase()) >= 0) return false;
    if (field.closest("[data-brouillon='non']")) return false;
    var autocomplete = (field.getAttribute("autocomplete") || "").toLowerCase();
    return NOT_KEPT_AUTOCOMPLETE.indexOf(autocomplete) < 0 && autocomplete.indexOf("cc-") !== 0;
  }

  function hasValue(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked;
    if (field.type === "file") return field.files && field.files.length > 0;
    return field.value !== "";
  }

  function snapshot(form) {
    var fields = {};
    var left = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) {
        // A field typed in but not kept (password, SIN, account number...): named in the notice.
        if ((editable(field) || field.type === "password" || field.type === "file") && hasValue(field) && field.id) left.push(field.id);
        return;
      }
      var values = fields[field.name] || (fields[field.name] = []);
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) values.push(field.value);
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) { if (option.selected) values.push(option.value); });
      } else {
        values.push(field.value);
      }
    });
    return {champs: fields, omis: left};
  }

  function restore(form, draft) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field) || !Object.prototype.hasOwnProperty.call(draft.champs, field.name)) return;
      var values = draft.champs[field.name];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = values.indexOf(field.value) >= 0;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) { option.selected = values.indexOf(option.value) >= 0; });
      } else {
        var index = seen[field.name] || 0;
        seen[field.name] = index + 1;
        if (index < values.length) field.value = values[index];
      }
    });
  }

  function labelOf(id) {
    var field = document.getElementById(id);
    if (!field) return "";
    var label = field.labels && field.labels.length ? field.labels[0] : null;
    if (!label) {
      var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
      label = legend || null;
    }
    return label ? label.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // --- The forms of this page -----------------------------------------------------------------------

  var forms = Array.prototype.filter.call(document.querySelectorAll("main form"), function (form) {
    return (form.getAttribute("method") || "").toLowerCase() === "post" && !form.matches("[data-brouillon='non']");
  });

  function draftName(index) {
    return DRAFT + location.pathname + "#" + index;
  }

  function keep(form, state, key) {
    var index = forms.indexOf(form);
    if (index < 0 || !tab) return null;
    var draft = snapshot(form);
    draft.cle = key;
    draft.chemin = location.pathname;
    draft.etat = state;
    write(tab, draftName(index), draft);
    return draftName(index);
  }

  function showRestored(form, draft) {
    var template = document.getElementById("brouillon-retabli");
    if (!template) return;
    var notice = template.content.firstElementChild.cloneNode(true);
    var labels = (draft.omis || []).map(labelOf).filter(Boolean);
    if (labels.length) {
      var part = notice.querySelector("[data-brouillon-omis]");
      var list = part.querySelector("ul");
      labels.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
      part.hidden = false;
    }
    form.parentNode.insertBefore(notice, form);
    return notice;
  }

  // --- A signed-in page -----------------------------------------------------------------------------

  function signedInPage(body) {
    var key = body.getAttribute("data-session-cle");
    var idle = Number(body.getAttribute("data-session-duree")) * 1000;
    var lead = Number(body.getAttribute("data-session-avis")) * 1000;
    var margin = Number(body.getAttribute("data-session-marge")) * 1000;
    var keepAliveUrl = body.getAttribute("data-session-url");
    var signInUrl = body.getAttribute("data-session-connexion");
    var model = document.getElementById("session-avis-modele");
    var dialog = null;
    var stayButton = null;
    var failure = null;
    var loadedAt = Date.now();
    var timer = null;
    var stopped = false;
    var ending = false;
    var focusBefore = null;

    // The drafts this tab holds, now that this person's page is here.
    var sent = tab && tab.getItem(SENT);
    remove(tab, SENT);
    if (tab) tab.setItem(SIGNED_IN, key);
    var firstRestored = null;
    draftNames().forEach(function (name) {
      var draft = read(tab, name);
      // Another person's, the form sent (the server had it), or typed on a page left without an end
      // of session: not kept.
      if (!draft || draft.cle !== key || name === sent || draft.etat !== INTERRUPTED) return remove(tab, name);
      if (draft.chemin !== location.pathname) return;
      var index = Number(name.slice(name.lastIndexOf("#") + 1));
      var form = forms[index];
      if (!form) return remove(tab, name);
      restore(form, draft);
      var notice = showRestored(form, draft);
      firstRestored = firstRestored || notice;
      draft.etat = TYPING;
      write(tab, name, draft);
    });
    if (firstRestored) firstRestored.focus();

    document.addEventListener("input", function (event) {
      if (event.target.form) keep(event.target.form, TYPING, key);
    });
    document.addEventListener("change", function (event) {
      if (event.target.form) keep(event.target.form, TYPING, key);
    });
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.matches("[data-deconnexion]")) {
        // Signing out: nothing of this person stays in the tab, and the other tabs drop theirs.
        stopped = true;
        dropAllDrafts();
        remove(tab, SIGNED_IN);
        if (shared) shared.setItem(SIGNED_OUT + key, String(Date.now()));
        return;
      }
      var name = keep(form, TYPING, key);
      if (name) tab.setItem(SENT, name);
    }, true);

    if (!model || !(idle > 0)) return;

    function lastActivity() {
      var other = shared ? Number(shared.getItem(ACTIVITY + key)) || 0 : 0;
      return Math.max(loadedAt, other);
    }

    function recordActivity(moment) {
      loadedAt = Math.max(loadedAt, moment);
      if (shared) shared.setItem(ACTIVITY + key, String(loadedAt));
    }

    function warningShown() {
      return Boolean(dialog && dialog.open);
    }

    function showWarning() {
      if (!dialog) {
        // Made from the page's template the first time it is needed.
        dialog = model.content.firstElementChild.cloneNode(true);
        document.body.appendChild(dialog);
        stayButton = dialog.querySelector("[data-session-rester]");
        failure = dialog.querySelector("#session-avis-erreur");
        stayButton.addEventListener("click", stay);
        dialog.addEventListener("cancel", function (event) {
          // Escape: the person is here; they stay signed in, as with the button.
          event.preventDefault();
          stay();
        });
      }
      if (dialog.open) return;
      focusBefore = document.activeElement;
      failure.hidden = true;
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
      stayButton.focus();
    }

    function hideWarning() {
      if (warningShown()) {
        if (typeof dialog.close === "function") dialog.close();
        else dialog.removeAttribute("open");
      }
      if (focusBefore && focusBefore !== document.body && document.contains(focusBefore)) focusBefore.focus();
      focusBefore = null;
    }

    function fail() {
      showWarning();
      failure.hidden = false;
      stayButton.focus();
    }

    function expire() {
      if (ending) return;
      ending = true;
      stopped = true;
      clearTimeout(timer);
      forms.forEach(function (form) {
        if (tab && tab.getItem(draftName(forms.indexOf(form)))) keep(form, INTERRUPTED, key);
      });
      interruptAllDrafts();
      // Sign out through the sign-out form (its CSRF token), back to the sign-in page that says why,
      // with the way back to this page. LogoutView and LoginView validate both addresses.
      var back = signInUrl + "?session=expiree&next=" + encodeURIComponent(location.pathname + location.search);
      var signOut = document.querySelector("form[data-deconnexion]");
      if (!signOut) {
        location.assign(back);
        return;
      }
      var form = document.createElement("form");
      form.method = "post";
      form.action = signOut.action;
      form.hidden = true;
      var token = signOut.querySelector("input[name='csrfmiddlewaretoken']");
      if (token) form.appendChild(token.cloneNode());
      var next = document.createElement("input");
      next.type = "hidden";
      next.name = "next";
      next.value = back;
      form.appendChild(next);
      document.body.appendChild(form);
      form.submit();
    }

    function tick() {
      clearTimeout(timer);
      if (stopped) return;
      var now = Date.now();
      var end = lastActivity() + idle - margin;
      if (now >= end) return expire();
      var warnAt = end - lead;
      if (now >= warnAt) showWarning();
      else hideWarning();
      // Checked at least every minute: a tab in the background, or a computer asleep, catches up.
      timer = setTimeout(tick, Math.min((now >= warnAt ? end : warnAt) - now, 60000));
    }

    var asking = false;

    function stay() {
      if (asking) return;
      asking = true;
      if (failure) failure.hidden = true;
      var asked = Date.now();
      fetch(keepAliveUrl, {credentials: "same-origin", redirect: "manual", cache: "no-store"}).then(function (response) {
        asking = false;
        if (response.status === 204) {
          recordActivity(asked);
          hideWarning();
          tick();
        } else if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          expire();  // the session had already ended: the sign-in page says so
        } else {
          fail();
        }
      }, function () {
        asking = false;
        fail();
      });
    }

    window.addEventListener("storage", function (event) {
      if (event.key === ACTIVITY + key) tick();  // another tab of this person kept the session alive
      if (event.key === SIGNED_OUT + key) {
        stopped = true;
        clearTimeout(timer);
        hideWarning();
        dropAllDrafts();
        remove(tab, SIGNED_IN);
      }
    });
    document.addEventListener("visibilitychange", tick);
    window.addEventListener("pageshow", tick);
    window.addEventListener("focus", tick);

    recordActivity(loadedAt);
    tick();
  }

  // --- A page without a session ---------------------------------------------------------------------

  function signedOutPage() {
    var said = document.querySelector("[data-session-expiree]:not([hidden])");
    var wasSignedIn = tab && tab.getItem(SIGNED_IN);
    var sent = tab && tab.getItem(SENT);
    remove(tab, SIGNED_IN);
    remove(tab, SENT);
    // The tab showed a signed-in page, or sent a form from one, and was not signed out: the session
    // ended (its idle or absolute timeout), and what was typed is kept for after the sign-in.
    var ended = Boolean(said || wasSignedIn || sent);
    var kept = ended ? interruptAllDrafts() : 0;
    if (!document.querySelector("form[data-connexion]")) return;
    if (ended && !said) {
      var notice = document.querySelector("[data-session-expiree-navigateur]");
      if (notice) notice.hidden = false;
    }
    if (kept) {
      var keptNotice = document.querySelector("[data-brouillons-conserves]");
      if (keptNotice) keptNotice.hidden = false;
    }
  }

  if (document.body.hasAttribute("data-session-cle")) signedInPage(document.body);
  else signedOutPage();
}());
