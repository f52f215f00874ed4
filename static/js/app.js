// Move focus to the error summary after a failed submit, as the GOV.UK pattern does.
(function () {
  "use strict";
  var summary = document.querySelector('[data-module="error-summary"]');
  if (summary) summary.focus();
})();

// Character counts (GOV.UK pattern, with its threshold): once a text nears its box's limit,
// say how many characters are left, or how many too many; until then the count is read to
// screen readers only. The box takes any length; the server refuses too long a text.
(function () {
  "use strict";
  var THRESHOLD = 0.8;
  var boxes = document.querySelectorAll("[data-character-limit]");
  Array.prototype.forEach.call(boxes, function (box) {
    var limit = parseInt(box.getAttribute("data-character-limit"), 10);
    var message = document.getElementById(box.id + "-count");
    if (!message || !limit) return;
    function plural(n) { return n === 1 ? " character" : " characters"; }
    function update() {
      var left = limit - box.value.length;
      if (box.value) {
        message.textContent = left >= 0
          ? "You have " + left.toLocaleString("en-GB") + plural(left) + " remaining"
          : "You have " + (-left).toLocaleString("en-GB") + plural(-left) + " too many";
      }
      // A short box (a postcode, a phone number) shows its count only when over.
      var quiet = left >= 0 && (limit < 100 || box.value.length < limit * THRESHOLD);
      message.classList.toggle("visually-hidden", quiet);
      message.classList.toggle("character-count--over", left < 0);
    }
    box.addEventListener("input", update);
    update();
  });
})();
