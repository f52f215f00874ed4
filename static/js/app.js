// Move focus to the error summary after a failed submit, as the GOV.UK pattern does.
(function () {
  "use strict";
  var summary = document.querySelector('[data-module="error-summary"]');
  if (summary) summary.focus();
})();
