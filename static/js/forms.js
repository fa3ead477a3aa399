/* Issue 15: the forms' progressive enhancement. Without this script every form works as before: all its
 * parts are shown and the server's validation decides.
 *
 * The error summary. A page sent back with errors has one summary, #erreurs (templates/partials/
 * form_errors.html, inscription/errors.html, the formsets' partials), with tabindex="-1": it takes the
 * focus on load, so a screen reader reads it first and a keyboard continues from it. Its links move the
 * focus to their field (a link to a fragment would only scroll), the field's label or legend in view.
 *
 * Conditional parts. An element `.conditional` with `data-shown-when="name=value value;name2=value"` is
 * shown when, in its form, the field `name` has one of the values (every condition separated by ";" must
 * hold; "!=" is the negation). Otherwise it is hidden and its fields disabled, so that what it holds is
 * not sent and cannot fail the validation. The controlling radio buttons, checkboxes and selects name the
 * parts they reveal (aria-controls), as GOV.UK's do; a checkbox also says whether its part is shown
 * (aria-expanded; see update() for radios). A part holding a field in error is always shown.
 */
(function () {
  "use strict";

  // --- The error summary ------------------------------------------------------------------------------

  function labelOf(field) {
    var fieldset = field.closest("fieldset");
    if ((field.type === "radio" || field.type === "checkbox") && fieldset && fieldset.classList.contains("radio-field")) {
      return fieldset.querySelector("legend");
    }
    return (field.labels && field.labels[0]) || (fieldset && fieldset.querySelector("legend"));
  }

  function focusTarget(link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target) return false;
    var label = labelOf(target);
    if (label && label.scrollIntoView) label.scrollIntoView();
    if (!target.matches("input, select, textarea, button, [tabindex]")) target.setAttribute("tabindex", "-1");
    target.focus({preventScroll: Boolean(label)});
    return true;
  }

  var summary = document.getElementById("erreurs");
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && focusTarget(link)) event.preventDefault();
    });
    summary.focus();
  }

  // --- Conditional parts -------------------------------------------------------------------------------

  function conditionsOf(part) {
    return part.getAttribute("data-shown-when").split(";").map(function (text) {
      var match = /^([^!=]+)(!?=)(.*)$/.exec(text.trim());
      if (!match) return null;
      return {name: match[1], negated: match[2] === "!=", values: match[3].split(" ").filter(Boolean)};
    }).filter(Boolean);
  }

  function controlsOf(scope, name) {
    return Array.prototype.filter.call(scope.querySelectorAll("input, select"), function (control) {
      return control.name === name;
    });
  }

  function valuesOf(controls) {
    var values = [];
    controls.forEach(function (control) {
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked && !control.disabled) values.push(control.value);
      } else if (!control.disabled) {
        values.push(control.value);
      }
    });
    return values;
  }

  function holds(condition, scope) {
    var chosen = valuesOf(controlsOf(scope, condition.name));
    var found = chosen.some(function (value) { return condition.values.indexOf(value) >= 0; });
    return condition.negated ? !found : found;
  }

  var parts = Array.prototype.map.call(document.querySelectorAll(".conditional[data-shown-when]"), function (part) {
    var scope = part.closest("form") || document;
    return {element: part, scope: scope, conditions: conditionsOf(part), inError: Boolean(part.querySelector(".field-error"))};
  });

  function setShown(part, shown) {
    part.element.hidden = !shown;
    Array.prototype.forEach.call(part.element.querySelectorAll("input, select, textarea"), function (field) {
      field.disabled = !shown;
    });
  }

  function update() {
    // In document order: a part inside another part sees its parent's fields already enabled or not.
    parts.forEach(function (part) {
      var shown = part.conditions.every(function (condition) { return holds(condition, part.scope); });
      if (part.inError) shown = true;
      setShown(part, shown);
    });
    // aria-expanded: a checkbox that reveals a part says whether that part is shown now. Not a radio
    // button: ARIA 1.2 does not allow the attribute on the radio role (axe-core refuses it, and GOV.UK
    // Frontend dropped it from its radios for that reason); its aria-controls stays.
    parts.forEach(function (part) {
      part.conditions.forEach(function (condition) {
        controlsOf(part.scope, condition.name).forEach(function (control) {
          if (control.type !== "checkbox") return;
          var reveals = !condition.negated && condition.values.indexOf(control.value) >= 0;
          if (reveals) control.setAttribute("aria-expanded", String(control.checked && !part.element.hidden));
        });
      });
    });
  }

  parts.forEach(function (part) {
    part.conditions.forEach(function (condition) {
      controlsOf(part.scope, condition.name).forEach(function (control) {
        var revealing = control.tagName === "SELECT" || condition.negated || condition.values.indexOf(control.value) >= 0;
        if (!revealing) return;
        var ids = (control.getAttribute("aria-controls") || "").split(" ").filter(Boolean);
        if (ids.indexOf(part.element.id) < 0) ids.push(part.element.id);
        control.setAttribute("aria-controls", ids.join(" "));
      });
    });
  });

  if (parts.length) {
    document.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("input, select")) update();
    });
    update();
    window.addEventListener("pageshow", update);  // a page restored by Back keeps what was chosen
  }
}());
