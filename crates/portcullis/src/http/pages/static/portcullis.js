// Portcullis hosted pages: the one script, served from our own origin
// (CSP script-src 'self'). Every page works without it; it only adds the
// "Show password" toggle, which stays hidden when scripts do not run.
"use strict";
document.querySelectorAll("button.reveal").forEach(function (button) {
  var input = document.getElementById(button.getAttribute("aria-controls"));
  if (!input) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", show ? "true" : "false");
    input.focus();
  });
});
