// Forms that keep the reader's place. Every page works without this script; with it:
// - after a refused form, focus moves to the summary of its errors (or to the part of the page
//   the reader asked for, such as a previewed schedule);
// - switching language on a page that shows a refused form sends that form again with the new
//   language, so the page is shown in it with what was typed (the server does nothing else);
// - a form with parts for each choice of a radio group shows only the chosen part.
(function () {
  "use strict";

  var SUBMITTER_KEY = "portal.submitter";

  function remember(value) {
    try {
      if (value) {
        window.sessionStorage.setItem(SUBMITTER_KEY, JSON.stringify(value));
      } else {
        window.sessionStorage.removeItem(SUBMITTER_KEY);
      }
    } catch (error) {
      // Storage refused (a private window): the form is sent again without its button.
    }
  }

  function remembered() {
    try {
      return JSON.parse(window.sessionStorage.getItem(SUBMITTER_KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  // Where a form is sent, read from its attribute: a field named "action" (such as the
  // request form's buttons) hides the form's own property.
  function actionOf(form) {
    return new URL(form.getAttribute("action") || "", window.location.href);
  }

  function addHidden(form, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }

  // Which button sent a form (its name and value reach the server only when it is pressed):
  // a form sent again after a language switch is sent as if by the same button.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.name) {
      remember({ action: actionOf(event.target).pathname, name: button.name, value: button.value });
    } else {
      remember(null);
    }
  });

  function refusedForm(path) {
    var forms = document.querySelectorAll("main form[method=post], main form[method=POST]");
    for (var i = 0; i < forms.length; i += 1) {
      var form = forms[i];
      var refused = form.querySelector("[data-error-summary], [aria-invalid=true], .field-errors");
      if (refused && actionOf(form).pathname === path) {
        return form;
      }
    }
    return null;
  }

  function keepInputAcrossLanguageSwitch() {
    var switcher = document.querySelector(".language-switcher[data-resubmit]");
    if (!switcher) {
      return;
    }
    switcher.addEventListener("click", function (event) {
      var button = event.target.closest("button[name=language]");
      var form = button && refusedForm(switcher.getAttribute("data-resubmit"));
      if (!form) {
        return;
      }
      event.preventDefault();
      addHidden(form, "switch_language", button.value);
      var submitter = remembered();
      if (submitter && submitter.action === actionOf(form).pathname) {
        var same = form.querySelector("input[type=hidden][name='" + CSS.escape(submitter.name) + "']");
        if (!same) {
          addHidden(form, submitter.name, submitter.value);
        }
      }
      // The form's own submit(): a field named "submit" would hide the method.
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  function focusWhereTheReaderIs() {
    var target = document.querySelector("[data-error-summary]") ||
      document.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start" });
    }
  }

  // <fieldset data-shown-for="radio-name:value"> is shown only while that choice is made
  // (without the script every part is shown).
  function showOnlyChosenParts() {
    var parts = document.querySelectorAll("[data-shown-for]");
    if (!parts.length) {
      return;
    }
    function update() {
      parts.forEach(function (part) {
        var wanted = part.getAttribute("data-shown-for").split(":");
        var form = part.closest("form");
        var chosen = form && form.querySelector("input[name='" + CSS.escape(wanted[0]) + "']:checked");
        // A part not shown is not sent either: what was typed there before a change of mind
        // does not count.
        part.hidden = Boolean(chosen) && chosen.value !== wanted[1];
        part.disabled = part.hidden;
      });
    }
    document.addEventListener("change", function (event) {
      if (event.target.type === "radio") {
        update();
      }
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    keepInputAcrossLanguageSwitch();
    showOnlyChosenParts();
    focusWhereTheReaderIs();
  });
})();
