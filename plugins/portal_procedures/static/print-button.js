/* Shows the "In" (print) buttons, which need JavaScript; without it the browser's own print works. */
(function () {
  'use strict';
  var buttons = document.querySelectorAll('.js-print');
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener('click', function () { window.print(); });
  }
})();
