// Review app client. Corpus text is untrusted: it only ever goes into textContent / value.
(function () {
  'use strict';
  var TOKEN = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
  var params = new URLSearchParams(location.search);
  var state = null;
  var file = params.get('file') || '';
  var CHUNK = 300;      // rows rendered at a time; more are added as the reader scrolls
  var shown = 0;        // rows currently in the page
  var observer = null;
  var fold = null;      // text as search compares it (fold.js, tables from the server)
  var foldCase = null;  // the same with letter case kept ("Aa", as grep -S)
  var cased = document.getElementById('find-case'), word = document.getElementById('find-word');
  var query = '';       // the folded search text ('' : no search)
  var rendering = false; // render() is rebuilding the rows (see the note fields' change event)
  var visible = null;   // with a search, the indices of the links that match, else null
  var foldedSides = {};  // 'src' / 'tgt' (+ 'C' with case kept): a side's sentences folded

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  // The status line wraps, and the header's height with it: changed between the press and the
  // release of a button (a note saved as the press takes the focus from its field), it moved the
  // rows under the pointer and the click landed on another element. It waits for the release.
  var statusLater = null;
  function setStatus(msg, ok) {
    if (pressed) { statusLater = [msg, ok]; return; }
    var s = document.getElementById('status');
    s.textContent = msg;
    s.className = ok ? 'ok' : 'err';
  }
  function call(url, body) {
    var opts = body === undefined ? {} : {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': TOKEN},
      body: JSON.stringify(body)
    };
    return fetch(url, opts).catch(function () {
      // no answer at all: the server was stopped (Ctrl-C, a closed terminal), not a refusal
      throw new Error('the review server is not answering: is parallel-corpus review still running? ' +
                      'Start it again, then reload this page');
    }).then(function (r) {
      return r.json().catch(function () { return {error: r.status + ' ' + r.statusText}; }).then(function (j) {
        if (!r.ok) {
          var err = new Error(j.error || (r.status + ' ' + r.statusText));
          err.conflict = r.status === 409;
          err.files = j.files;  // a file that could not be loaded: the folder's files, for the menu
          throw err;
        }
        return j;
      });
    });
  }
  // edits return the links without the documents' sentences (they never change): keep ours. An
  // edit that kept the number of links (an accept, a note, their undo) returns only the rows it
  // changed (delta: from start on), asked with "delta": true: spliced into ours (see patch())
  function adopt(s) {
    if (state && !s.src.sentences) { s.src.sentences = state.src.sentences; s.tgt.sentences = state.tgt.sentences; }
    if (!s.fold && state) s.fold = state.fold;
    if (s.delta && state) {
      var links = state.links.slice();
      Array.prototype.splice.apply(links, [s.delta.start, s.delta.links.length].concat(s.delta.links));
      s.links = links;
    }
    state = s;
    if (!fold && s.fold) { fold = makeFold(s.fold); foldCase = makeFold(s.fold, true); }
  }
  // a side's sentences as search compares them (each folded once per file)
  function foldedOf(side) {
    var key = side + (cased.checked ? 'C' : '');
    return foldedSides[key] || (foldedSides[key] = state[side].sentences.map(function (t) {
      return (cased.checked ? foldCase : fold)(t);
    }));
  }
  // does link k hold the search text on either side?
  function matches(k) {  // sentence by sentence, as grep and the report search (never across two)
    return ['src', 'tgt'].some(function (side) {
      var f = foldedOf(side);
      return k[side].some(function (i) { return holdsQuery(f[i], query, word.checked); });
    });
  }
  // a link named by its sentences ("3,4:5"): rows are numbered by position, which a merge or a
  // split before them changes
  function linkKey(k) { return k.src.join(',') + ':' + k.tgt.join(','); }
  function indexOfKey(key) {
    for (var j = 0; j < state.links.length; j++) if (linkKey(state.links[j]) === key) return j;
    return -1;
  }
  function rowOfKey(key) {
    return Array.prototype.find.call(document.querySelectorAll('#grid .r[data-i]'), function (r) { return r.dataset.key === key; }) || null;
  }
  function load() {
    var q = file ? '?file=' + encodeURIComponent(file) : '';
    state = null; shown = 0; foldedSides = {};
    return call('/api/state' + q).then(function (s) {
      adopt(s); file = s.file; applyView(); render();
      if (s.read_only) setStatus('read-only: ' + s.read_only, false);
      // a reload comes back to the link the reader was on (#L650/3:4 in the address), not to link 0,
      // found by its sentences: an edit since (here or in another tab) may have renumbered it
      var back = shownRow(lastRow());
      if (back) { back.scrollIntoView({block: 'center'}); back.focus({preventScroll: true}); }
    })
      .catch(function (e) {
        clearPage(); fileMenu(e.files || [], '');
        setStatus('Could not load ' + (file || 'the file') + ': ' + e.message, false);
      });
  }
  // the file menu: the folder's alignments, ``current`` selected (none: a first entry that says
  // to choose, so that choosing any file is a change)
  function fileMenu(files, current) {
    var sel = document.getElementById('file');
    sel.textContent = '';
    if (files.indexOf(current) < 0) { var o = el('option', null, 'choose a file'); o.value = ''; o.disabled = true; o.selected = true; sel.appendChild(o); }
    files.forEach(function (f) { var o = el('option', null, f); o.value = f; o.selected = f === current; sel.appendChild(o); });
  }
  // nothing of a file that is no longer loaded stays on the page, where its buttons would act on it
  function clearPage() {
    state = null; shown = 0;
    ['grid', 'below-list', 'um-src', 'um-tgt'].forEach(function (id) { document.getElementById(id).textContent = ''; });
    document.getElementById('below').hidden = true;
    document.getElementById('unmatched').hidden = true;
    document.getElementById('meta').textContent = 'no alignment loaded';
    document.getElementById('undo').disabled = true;
  }
  // Every change goes through one queue: sent after the previous one's reply, with the rev
  // that reply returned. Two quick actions (a note saved as its field loses focus, then a click
  // on Accept) would otherwise both carry the same rev and the server would refuse the second.
  // A refused change stays on the status line while the changes queued with it are saved, and
  // for a few seconds after (a click right after a refusal must not hide it behind "Saved").
  var queue = Promise.resolve(), waiting = 0, failed = [], generation = 0, KEEP_MS = 6000;
  // notes the server refused, by link key: put back in their fields by the next render, unsaved
  var unsavedNotes = {};
  function report(msg) {
    var now = Date.now();
    failed = failed.filter(function (f) { return f.shown === null || now - f.shown < KEEP_MS; });
    if (failed.length) {
      var said = [];  // the same refusal twice (two conflicts in a row) is said once
      failed.forEach(function (f) { if (said.indexOf(f.msg) < 0) said.push(f.msg); });
      setStatus('Not saved: ' + said.join('; ') + (msg ? ' (then ' + msg + ')' : ''), false);
    } else if (msg) setStatus(msg, true);
  }
  function enqueue(send, describe, onFail) {
    waiting++;
    var gen = generation;
    setStatus(waiting > 1 ? 'saving… (' + waiting + ' changes)' : 'saving…', true);
    var done = queue.then(function () {
      // a change asked for on a page that has since been reloaded (conflict) could hit another link
      if (gen !== generation) throw new Error('a later change was not sent (the page was reloaded): redo it');
      return send();
    }).then(function (s) {
      adopt(s); renderSoon(s.delta);
      return describe(s);
    }, function (e) {
      if (onFail) onFail(e);
      if (!e.conflict) { failed.push({msg: e.message, shown: null}); return null; }
      generation++;
      failed.push({msg: e.message + '; the page now shows the file as saved: redo the change if needed', shown: null});
      return reloadAfterConflict().then(function () { return null; });
    }).then(function (msg) {
      waiting--;
      if (waiting === 0) failed.forEach(function (f) { if (f.shown === null) f.shown = Date.now(); });
      // "Saved" only of what is in the file: the changes queued behind it are still on their way
      report(waiting && msg ? msg + '; saving ' + waiting + ' more…' : msg);
    });
    queue = done;
    return done;
  }
  // A reply that lands between the press and the release of a button (the note saved as a click
  // on Accept takes the focus from it) must not rebuild the rows under the pointer: the button
  // pressed would be gone and the click lost. The rows are rebuilt once the click is over.
  var pressed = false, renderLater = false;
  function renderSoon(delta) {
    if (pressed) renderLater = true; else if (!(delta && patch(delta))) render();
  }
  document.addEventListener('pointerdown', function (e) {
    pressed = !!(e.target.closest && e.target.closest('#grid button, #grid input, #below-list button'));
  }, true);
  function released() {
    if (!pressed) return;
    pressed = false;
    // after the click this release makes (dispatched in the same task)
    if (renderLater || statusLater) setTimeout(function () {
      if (pressed) return;
      if (statusLater) { var later = statusLater; statusLater = null; setStatus(later[0], later[1]); }
      if (renderLater) { renderLater = false; render(); }
    }, 0);
  }
  document.addEventListener('pointerup', released, true);
  document.addEventListener('pointercancel', released, true);
  // the file changed behind the page (409): show it as it is now, so nothing offered is stale
  function reloadAfterConflict() {
    var q = file ? '?file=' + encodeURIComponent(file) : '';
    // the file may hold other texts now: the search reads them afresh, as load() does
    return call('/api/state' + q).then(function (s) { foldedSides = {}; adopt(s); render(); }).catch(function () {});
  }
  function op(name, args, message, focus) {
    if (!state) { setStatus('Not saved: no alignment is loaded', false); return Promise.resolve(); }
    return enqueue(function () {
      return call('/api/op', {file: file, rev: state.rev, op: name, args: args, delta: true});
    }, function (s) {
      // a relinked comparable link moves to its place in the text: show the row the server says
      if (s.at !== undefined && s.at !== null) flash(s.at); else if (focus !== undefined) flash(focus);
      return 'Saved: ' + (typeof message === 'function' ? message(s) : message) + carried(s.carried) +
        dropped(s.dropped) + freed(s.unlinked) + rescored(s.rescored) + crossing();
    });
  }
  // a change to one link (``key``, see linkKey; with ``next``, the link after it too), found again
  // by its sentences when it is sent: a change queued behind another (a merge renumbers the rows
  // after it) lands on the link the reader chose, never on the one that now has its number, or is
  // refused when that link is gone. ``message(j)``: what was saved, j the link's number then.
  function linkOp(key, name, extra, message, next, noFlash, onFail) {
    if (!state) { setStatus('Not saved: no alignment is loaded', false); return Promise.resolve(); }
    var asked = indexOfKey(key), at = asked;
    return enqueue(function () {
      at = indexOfKey(key);
      var other = next === undefined ? -1 : indexOfKey(next);
      if (at < 0 || (next !== undefined && other !== at + 1)) {
        return Promise.reject(new Error('link ' + asked + ' changed before this change to it was sent: redo it'));
      }
      var args = Object.assign({link: at}, extra);
      if (next !== undefined) args.other = other;
      return call('/api/op', {file: file, rev: state.rev, op: name, args: args, delta: true});
    }, function (s) {
      if (s.at !== undefined && s.at !== null) flash(s.at); else if (!noFlash) flash(at);
      return 'Saved: ' + message(at) + carried(s.carried) + dropped(s.dropped) + freed(s.unlinked) +
        rescored(s.rescored) + crossing();
    }, onFail);
  }
  // a parallel alignment's links follow both texts in order; a relink may cross them (a sentence
  // linked to one before its neighbour's): saved as asked, and said, since an order-reading tool
  // (a Vecalign file, eval) reads it otherwise
  function crossing() {
    if (!state || state.mode !== 'parallel') return '';
    var last = [-1, -1];
    for (var j = 0; j < state.links.length; j++) {
      var k = state.links[j];
      for (var side = 0; side < 2; side++) {
        var ids = side ? k.tgt : k.src;
        if (!ids.length) continue;
        if (ids[0] < last[side]) {
          return '; note: link ' + j + ' crosses a link before it (' + (side ? state.tgt.label : state.src.label) +
            ' ' + ids[0] + ' after ' + last[side] + '): this parallel alignment is no longer in text order';
        }
        last[side] = ids[ids.length - 1];
      }
    }
    return '';
  }
  // the notes of the links a relink absorbed, which went with their sentences into its link
  function carried(c) {
    if (!c || !c.length) return '';
    var which = c.map(function (k) { return 'link ' + k.link + ' (' + k.src.join(',') + ' ↔ ' + k.tgt.join(',') + ')'; });
    return '; the note' + (c.length > 1 ? 's' : '') + ' of ' + which.join(' and ') + ' carried over to this link';
  }
  // comparable mode: the rejected links a relink took a sentence of (a sentence is in one link only)
  function dropped(d) {
    if (!d || !d.length) return '';
    var which = d.map(function (k) { return 'link ' + k.link + ' (' + k.src.join(',') + ' ↔ ' + k.tgt.join(',') + ')'; });
    return '; rejected ' + which.join(' and ') + ' removed';
  }
  // links the edit did not touch whose p it moved: in a translation a link's p reads its
  // neighbours (a gap beside it, a contested cut), so a row may change colour: said, not silent
  function rescored(r) {
    if (!r || !r.length) return '';
    var which = r.slice(0, 3).map(function (k) {
      return 'link ' + k.link + ' ' + k.was.toFixed(2) + ' → ' + k.p.toFixed(2);
    });
    return '; p moved for ' + which.join(', ') + (r.length > 3 ? ' and ' + (r.length - 3) + ' more' : '') +
      ' (its neighbours changed: a gap beside a link or a moved cut makes it less sure)';
  }
  // what an edit left without a link (a split 2-1 link in comparable mode frees a sentence)
  function freed(u) {
    if (!u) return '';
    var parts = [];
    if (u.src && u.src.length) parts.push(state.src.label + ' ' + u.src.join(', '));
    if (u.tgt && u.tgt.length) parts.push(state.tgt.label + ' ' + u.tgt.join(', '));
    if (!parts.length) return '';
    return '; now unlinked: ' + parts.join(' and ') +
      (state.mode === 'comparable' ? ' (listed under Unmatched sentences)' : ' (shown as gaps)');
  }
  function undo() {
    if (!state) return Promise.resolve();
    return enqueue(function () {
      return call('/api/undo', {file: file, rev: state.rev, delta: true});
    }, function (s) {
      // say what was undone and show its row, as every edit does
      var u = s.undone;
      if (u && u.op === 'new link') {  // made from unlinked sentences: no link of that number was changed
        if (u.link !== null && u.link !== undefined) flash(u.link);
        return 'Undone: the new link ' + u.src + ' ↔ ' + u.tgt;
      }
      if (!u || u.link === null || u.link === undefined) return 'Undone' + (u && u.op ? ': a ' + u.op : '');
      flash(u.link);
      return 'Undone: the ' + u.op + ' of link ' + u.link;
    });
  }
  function flash(i) {
    ensureRow(i);
    var row = document.getElementById('L' + i);
    if (!row) return;
    row.classList.add('flash');
    row.scrollIntoView({block: 'nearest'});
    setTimeout(function () { row.classList.remove('flash'); }, 1500);
  }
  function ids(list) { return list.length ? list.join(',') : '–'; }
  // an element holding one sentence, what the search found in it marked (fold.js makeMarks), as the
  // report marks it, once in the page (marks.flush); render() takes the marks of the rows it replaces away
  var marks = makeMarks();
  function marked(e) {
    var t = e.firstChild;
    if (query && fold && t) marks.mark(t, queryPlaces(t.data, query, word.checked, cased.checked ? foldCase : fold));
    return e;
  }
  function textCell(doc, list) {
    if (!list.length) return el('div', 'c gapc', '— nothing in ' + doc.label + ' —');
    var c;
    if (list.length === 1) c = marked(el('div', 'c', doc.sentences[list[0]]));
    else {  // several sentences: each opens with its number, so a split or relink can name it
      c = el('div', 'c multi');
      list.forEach(function (i, n) {
        if (n) c.appendChild(document.createTextNode(' '));
        var id = el('span', 'sn'); id.dataset.n = i; id.title = doc.label + ' sentence ' + i;  // the number is CSS content: copying the text leaves it out
        c.appendChild(id);
        c.appendChild(marked(el('span', null, doc.sentences[i])));
      });
    }
    c.setAttribute('dir', doc.dir); c.setAttribute('lang', doc.lang);
    return c;
  }
  function button(label, act, i, title) {
    var b = el('button', null, label);
    b.type = 'button'; b.dataset.act = act; b.dataset.i = i;
    if (title) b.title = title;
    return b;
  }
  // "≠ numbers" when both sides hold numbers that differ; "number on one side only" otherwise
  function numbersBadge(text) {
    return el('span', text === '≠ numbers' ? 'badge nd' : 'badge nd one', text);
  }
  function skipped(list) {  // the ids between a link's first and last sentence that it does not hold
    var out = [];
    for (var x = 1; x < list.length; x++) for (var y = list[x - 1] + 1; y < list[x]; y++) out.push(y);
    return out;
  }
  function row(k, i) {
    var r = el('div', 'r ' + k.band + (k.status ? ' ' + k.status : '') + (k.numbers === 'differ' ? ' nd' : ''));
    r.id = 'L' + i; r.setAttribute('role', 'row'); r.dataset.i = i; r.dataset.key = linkKey(k); r.title = k.hover;
    r.tabIndex = -1;  // focused by a click on its text: then a / r accept / reject it
    var n = el('div', 'n'); n.appendChild(el('b', null, i));
    n.appendChild(el('small', null, ids(k.src) + ' ↔ ' + ids(k.tgt)));
    r.appendChild(n);
    r.appendChild(textCell(state.src, k.src));
    r.appendChild(textCell(state.tgt, k.tgt));
    var m = el('div', 'm');
    var info = el('div', 'info', k.kind + '  ' + (k.band === 'none' ? 'no ' + k.measure
      : k.conf === null ? '–' : (k.measure === 'p' ? 'p ' : '') + k.shown));  // as the report shows it
    if (k.status) info.appendChild(el('span', 'badge ' + k.status, k.status));
    if (k.numbers_badge) info.appendChild(numbersBadge(k.numbers_badge));
    if (k.edited) info.appendChild(el('span', 'badge edited', k.edited));
    // a link whose sentences are not consecutive (a 2-1 link of ar 10 and 12) says which it skips,
    // as the report does: the sentence between is not part of it
    var gaps = skipped(k.src).map(function (x) { return state.src.lang + ' ' + x; })
      .concat(skipped(k.tgt).map(function (x) { return state.tgt.lang + ' ' + x; }));
    if (gaps.length) {
      var sk = el('span', 'badge skip', 'skips ' + gaps.join(', '));
      sk.title = 'the link skips ' + gaps.join(', ') + ': not part of it';
      info.appendChild(sk);
    }
    m.appendChild(info);
    var acts = el('div', 'acts');
    // the buttons toggle (their label says which way); the keys a / r only ever set, u unmarks
    acts.appendChild(k.status === 'accepted' ? button('Unaccept', 'accept', i, 'unmark this link (u)')
      : button('Accept', 'accept', i, 'accept this link (a)'));
    acts.appendChild(k.status === 'rejected' ? button('Unreject', 'reject', i, 'unmark this link (u)')
      : button('Reject', 'reject', i, 'reject this link (r)'));
    // comparable mode: the next row may be anywhere in the texts; the server says whether the two
    // are next to each other in both (merge_next) and refuses a merge of two that are not
    if (i + 1 < state.links.length && k.merge_next !== false) acts.appendChild(button('Merge ↓', 'merge', i, 'merge with the next link'));
    if (k.src.length + k.tgt.length > 1 && (k.src.length > 1 || k.tgt.length > 1 || (k.src.length && k.tgt.length)))
      acts.appendChild(oneCut(k) ? button('Split', 'split', i, k.src.length && k.tgt.length
        ? 'take the two sentences apart' + (state.mode === 'comparable' ? ' (both become unmatched)' : ' (two gaps)')
        : 'a gap per sentence')
        : button('Split…', 'split', i, 'choose where this link is cut in two' +
          (state.mode === 'comparable' ? ' (a sentence left without a partner becomes unmatched)' : '')));
    acts.appendChild(button('Relink…', 'relink', i, 'choose the sentences of this link'));
    acts.appendChild(button('Delete', 'delete', i, 'remove this link'));
    m.appendChild(acts);
    var note = el('input', 'note'); note.type = 'text'; note.placeholder = 'note…'; note.value = k.note;
    note.dir = 'auto';  // an Arabic note reads right to left
    note.dataset.i = i; note.setAttribute('aria-label', 'note for link ' + i);
    m.appendChild(note);
    r.appendChild(m);
    return r;
  }
  // what the page shows above and beside the rows: the file menu, the counts, Undo, the legend
  function chrome() {
    fileMenu(state.files, state.file);
    var nAcc = 0, nRej = 0;
    state.links.forEach(function (k) { if (k.status === 'accepted') nAcc++; if (k.status === 'rejected') nRej++; });
    // a comparable alignment lists its unmatched sentences apart: no gaps to show
    document.querySelector('#show option[value="only-gap"]').hidden = state.mode === 'comparable';
    document.getElementById('meta').textContent = (state.read_only ? 'read-only · ' : '') + state.mode + ' · ' + state.links.length + ' links · ' +
      nAcc + ' accepted · ' + nRej + ' rejected · ' + state.src.label + ' ' + state.src.sentences.length +
      ' / ' + state.tgt.label + ' ' + state.tgt.sentences.length + ' sentences';
    // the signature (model, options, version) is long: on the line's tooltip, not a line of its own
    document.getElementById('meta').title = state.signature ? 'signature: ' + state.signature : '';
    document.getElementById('srclab').textContent = state.src.label;
    document.getElementById('tgtlab').textContent = state.tgt.label;
    var u = document.getElementById('undo');
    u.disabled = state.history === 0; u.textContent = 'Undo' + (state.history ? ' (' + state.history + ')' : '');
    legend();
    // what the aligner warned of (e.g. parallel mode on texts that are not translations)
    var warn = document.getElementById('warning');
    warn.textContent = state.warning ? 'warning: ' + state.warning : '';
    warn.hidden = !state.warning;
  }
  // the unmatched sentences and the pairs below the bar
  function lists() {
    var um = document.getElementById('unmatched');
    um.hidden = !(state.unmatched_src.length || state.unmatched_tgt.length);
    unmatched('src', state.src, state.unmatched_src);
    unmatched('tgt', state.tgt, state.unmatched_tgt);
    belowBar(state.below_bar || []);
    marks.flush();
  }
  // The rows of a reply that changed links in place (delta: the same number of links, so every
  // row keeps its number) are drawn again, and only they: a book's thousands of rows took seconds
  // to draw again at each accept. False (nothing done: render() draws the page) where that is not
  // enough or not safe: a search (which rows hold it may change), a redraw waiting for a click to
  // end, a note put back in its field, a Relink… form or a note being typed in a row it changes,
  // the focus in the unmatched lists.
  function patch(delta) {
    if (visible || renderLater || Object.keys(unsavedNotes).length) return false;
    var act = document.activeElement;
    if (act && act.closest && act.closest('#unmatched')) return false;
    var olds = [];
    for (var i = delta.start; i < delta.start + delta.links.length; i++) {
      var old = document.getElementById('L' + i);
      if (!old) continue;  // not drawn yet: more() draws it from the state when it is scrolled to
      if (old.querySelector('form.relink, form.split') || (act && /^(INPUT|SELECT)$/.test(act.tagName) && old.contains(act))) return false;
      olds.push(old);
    }
    chrome();
    var focused = null;
    olds.forEach(function (old) {
      var i = +old.dataset.i, fresh = row(state.links[i], i);
      var had = act && old.contains(act) ? (act === old ? '' : act.dataset.act || null) : null;
      old.replaceWith(fresh);
      if (had === null) return;
      focused = had ? fresh.querySelector('button[data-act="' + had + '"]') || fresh : fresh;
    });
    lists();
    if (focused) {  // the same button or row; a row the "show" menu now hides hands it to the next one
      var hidden = focused.offsetParent === null && focused.closest('#grid .r[data-i]');
      if (hidden) {
        var next = shownFrom(hidden, 1) || shownFrom(hidden, -1);
        if (next) focusRow(next);
      } else focused.focus({preventScroll: true});
    }
    bars();
    return true;
  }
  function render() {
    renderLater = false;
    marks.clear();
    chrome();
    var grid = document.getElementById('grid');
    var h = el('div', 'h'); h.setAttribute('role', 'row');
    ['link', state.src.label, state.tgt.label, 'type · ' + (state.measure || 'p') + ' · actions'].forEach(function (t) { h.appendChild(el('div', null, t)); });
    visible = query && fold ? state.links.reduce(function (acc, k, i) { if (matches(k)) acc.push(i); return acc; }, []) : null;
    document.getElementById('found').textContent = visible
      ? visible.length + ' of ' + state.links.length + ' links hold it' + furtherDown(
        (state.below_bar || []).filter(function (c) { return found('src', [c.src]) || found('tgt', [c.tgt]); }).length,
        state.unmatched_src.filter(function (i) { return found('src', [i]); }).length
          + state.unmatched_tgt.filter(function (i) { return found('tgt', [i]); }).length) : '';
    var want = Math.min(visible ? visible.length : state.links.length, Math.max(shown, CHUNK));
    // a reply that lands while the reader types a note must not wipe what is typed
    var act = document.activeElement;
    var focusAt = focusOf(act);
    var typing = act && act.classList.contains('note') && act.closest('.r[data-i]')
      ? {key: act.closest('.r[data-i]').dataset.key, i: act.dataset.i, value: act.value, at: act.selectionStart} : null;
    // an open Relink… or Split… form survives a redraw (a note saved as the focus left it, a merge's
    // reply), with what was typed or chosen in it and its caret
    var editing = Array.prototype.map.call(grid.querySelectorAll('.r[data-i] form.relink, .r[data-i] form.split'), function (f) {
      var ins = f.querySelectorAll('input, select'), at = Array.prototype.indexOf.call(ins, act);
      return {key: f.closest('.r[data-i]').dataset.key, values: [ins[0].value, ins[1].value], focus: at,
              caret: at >= 0 && act.tagName === 'INPUT' ? act.selectionStart : null,
              split: f.classList.contains('split')};
    });
    // removing a note field being typed in fires its change event (Chromium): that is no save of a
    // note half typed, whose row number may now be another link's
    rendering = true;
    try { grid.textContent = ''; } finally { rendering = false; }
    grid.appendChild(h);
    if (!state.links.length && state.none_linked) grid.appendChild(el('p', 'none-linked', state.none_linked));
    shown = 0;
    more(want);
    if (typing) {  // the same link's field (found by its sentences: a merge above renumbers it)
      var was = state.links[indexOfKey(typing.key)];
      if (was) ensureRow(indexOfKey(typing.key));
      var home = rowOfKey(typing.key), back = home && home.querySelector('input.note');
      if (back) { back.value = typing.value; back.focus(); back.setSelectionRange(typing.at, typing.at); }
      else if (!was && typing.value !== '') {
        failed.push({msg: 'the note typed on link ' + typing.i + ' (' + typing.key.replace(':', ' ↔ ') +
          '): that link was changed meanwhile; the note was "' + typing.value + '"', shown: null});
        report('');
      }
    }
    editing.forEach(function (ed) {
      var at = indexOfKey(ed.key);
      if (at < 0) return;  // the link was changed (by this form's own Save, say): nothing to reopen
      ensureRow(at);
      if (ed.split) splitEditor(at, ed); else relinkEditor(at, ed);
    });
    Object.keys(unsavedNotes).forEach(function (key) {
      var value = unsavedNotes[key], at = indexOfKey(key);
      delete unsavedNotes[key];
      if (at >= 0) ensureRow(at);
      var home = at >= 0 ? rowOfKey(key) : null, field = home && home.querySelector('input.note');
      if (field && field.value !== value) {
        field.value = value;
        field.dataset.unsaved = '1';
        failed.push({msg: 'the note on link ' + at + ' is back in its field, not saved: press Enter in it to save it',
                     shown: null, note: key});
      } else if (!field) {
        failed.push({msg: 'the note "' + value + '" was not saved: its link (' + key.replace(':', ' ↔ ') +
          ') was changed meanwhile', shown: null});
      }
    });
    lists();
    // a reply rebuilds the rows and the unmatched list: keyboard focus stays where it was (on the
    // same button, row or unmatched sentence), or the next key press would go nowhere; a row the
    // "show" menu now hides (accepted, with "not reviewed yet") hands it to the next row shown
    var reopened = editing.some(function (ed) { return ed.focus >= 0; });
    if (!typing && !reopened && focusAt && document.activeElement !== focusAt.node) {
      var again = focusAt.find();
      var hidden = again && again.offsetParent === null && again.closest('#grid .r[data-i]');
      if (hidden) {
        var next = shownFrom(hidden, 1) || shownFrom(hidden, -1);
        if (next) focusRow(next);
      } else if (again) again.focus({preventScroll: true});
    }
    bars();
  }
  // what the colours are: p bands, or for a file written before p the cosine bands (the report's words)
  function legend() {
    var keys = document.getElementById('legend-keys');
    keys.textContent = '';
    (state.legend_keys || []).forEach(function (k) {
      var s = el('span', 'key ' + k[0], k[1]);
      if (k[2]) s.title = k[2];
      keys.appendChild(s); keys.appendChild(document.createTextNode(' '));
    });
    document.getElementById('legend-text').textContent = state.legend || '';
  }
  // the sticky header's height: a row scrolled to (keys, a flash) stops below it (review.css)
  function bars() {
    document.documentElement.style.setProperty('--head-h', document.querySelector('header').offsetHeight + 'px');
  }
  // rows the "show" menu lets through, and moving between them (j / k, arrows)
  function isRow(n) { return n && n.matches && n.matches('#grid .r[data-i]'); }
  function total() { return visible ? visible.length : state.links.length; }
  function neighbour(r, step) {  // the next (1) or previous (-1) row shown; rows not rendered yet are added
    for (var n = r; ;) {
      var next = step > 0 ? n.nextElementSibling : n.previousElementSibling;
      if (step > 0 && (!next || next.id === 'more') && shown < total()) { more(shown + CHUNK); next = n.nextElementSibling; }
      if (!isRow(next)) return null;
      if (next.offsetParent !== null) return next;
      n = next;
    }
  }
  function shownFrom(r, step) { return r.offsetParent !== null ? r : neighbour(r, step); }
  function firstInView() {  // the first row shown below the sticky header
    var top = document.querySelector('header').getBoundingClientRect().bottom;
    return Array.prototype.find.call(document.querySelectorAll('#grid .r[data-i]'), function (r) {
      return r.offsetParent !== null && r.getBoundingClientRect().bottom > top;
    }) || null;
  }
  function focusRow(r) {
    r.focus({preventScroll: true});
    r.scrollIntoView({block: 'nearest'});
  }
  function focusOf(node) {
    if (!node || node === document.body) return null;
    var ui = node.closest && node.closest('#unmatched .ui');
    if (ui) {
      var sel = '#um-' + ui.dataset.side + ' .ui[data-id="' + ui.dataset.id + '"]';
      return {node: node, find: function () { return document.querySelector(sel); }};
    }
    var row = node.closest && node.closest('#grid .r[data-i]');
    if (!row) return null;
    var i = row.dataset.i, key = row.dataset.key, act = node.dataset && node.dataset.act;
    return {node: node, find: function () {
      var r = document.querySelector('#grid .r[data-i="' + i + '"]');
      // the button's link is gone (Delete, Split, Merge ↓ pressed with Enter): the focus goes to the
      // row now in its place (the last row when it was the last), not to the same button of another
      // link, where a second Enter would delete, split or merge that one too
      if (act && indexOfKey(key) < 0) {
        return r || document.querySelector('#grid .r[data-i="' + (state.links.length - 1) + '"]');
      }
      return r && act ? r.querySelector('button[data-act="' + act + '"]') : r;
    }};
  }
  function belowBar(list) {
    var sec = document.getElementById('below'), box = document.getElementById('below-list');
    sec.hidden = list.length === 0;
    document.getElementById('below-bar').textContent = state.bar === null || state.bar === undefined ? ''
      : ' (p < ' + Number(state.bar).toFixed(2) + ')';
    box.textContent = '';
    list.filter(function (c) { return found('src', [c.src]) || found('tgt', [c.tgt]); }).forEach(function (c) {
      var r = el('div', 'r ' + (c.band || 'low')); r.setAttribute('role', 'row'); r.id = 'B' + c.src + '-' + c.tgt;
      r.appendChild(el('div', 'n', c.src + ' ↔ ' + c.tgt));
      [[state.src, c.src], [state.tgt, c.tgt]].forEach(function (sd) {
        var t = marked(el('div', 'c', sd[0].sentences[sd[1]])); t.setAttribute('dir', sd[0].dir); t.setAttribute('lang', sd[0].lang);
        r.appendChild(t);
      });
      var m = el('div', 'm');
      m.appendChild(el('span', 'conf', 'p ' + c.shown));
      if (c.numbers_badge) m.appendChild(numbersBadge(c.numbers_badge));
      var b = el('button', null, 'Link'); b.type = 'button'; b.dataset.s = c.src; b.dataset.t = c.tgt;
      m.appendChild(b);
      r.appendChild(m);
      box.appendChild(r);
    });
  }
  // append rows up to `upto`, then a sentinel that asks for more when it scrolls into view
  function more(upto) {
    var grid = document.getElementById('grid');
    var old = document.getElementById('more');
    if (old) old.remove();
    var frag = document.createDocumentFragment(), total = visible ? visible.length : state.links.length;
    for (; shown < upto && shown < total; shown++) {
      var i = visible ? visible[shown] : shown;
      frag.appendChild(row(state.links[i], i));
    }
    grid.appendChild(frag);
    marks.flush();  // the rows' marks, now that they are in the page
    if (shown < total) {
      var s = el('div', 'more', (total - shown) + ' more links…'); s.id = 'more';
      grid.appendChild(s);
      if (!observer) observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) more(shown + CHUNK);
      }, {rootMargin: '1500px'});
      observer.observe(s);
    }
  }
  function ensureRow(i) {
    var at = visible ? visible.indexOf(i) : i;  // a link the search leaves out has no row
    if (at >= shown) more(at + 1 + CHUNK);
  }
  // link i's row, drawn if it was not yet; null where there is no such link or the search or the
  // "show" menu hides it
  function shownRow(i) {
    if (i === null || i >= state.links.length || (visible && visible.indexOf(i) < 0)) return null;
    ensureRow(i);
    var r = document.getElementById('L' + i);
    return r && r.offsetParent !== null ? r : null;
  }
  // where the address keeps link i: its number, then its first source and target sentence
  // (#L650/3:4; a gap #L12/:7), which say which link it is when a merge, a split, a delete or a
  // new link above it has changed its number
  function anchorOf(i) {
    var k = state.links[i];
    return '#L' + i + '/' + (k.src.length ? k.src[0] : '') + ':' + (k.tgt.length ? k.tgt[0] : '');
  }
  // the link the reader last worked on (its row's focus writes it in the address): the one that
  // now holds its first source sentence (else its first target sentence); its number alone when
  // neither is in a link any more (deleted), or the address gives only the number (#L650)
  function lastRow() {
    var h = /^#L([0-9]+)(?:\/([0-9]*):([0-9]*))?$/.exec(location.hash);
    if (!h || !state) return null;
    var sides = [['src', h[2]], ['tgt', h[3]]];
    for (var n = 0; n < sides.length; n++) {
      if (sides[n][1] === undefined || sides[n][1] === '') continue;
      var id = +sides[n][1];
      for (var j = 0; j < state.links.length; j++) if (state.links[j][sides[n][0]].indexOf(id) >= 0) return j;
    }
    return Math.min(+h[1], state.links.length - 1);
  }
  // with a search, the sentences (of a side, or a pair's two) that hold it
  function found(side, ids) {
    if (!query || !fold) return true;
    var f = foldedOf(side);
    return ids.some(function (i) { return holdsQuery(f[i], query, word.checked); });
  }
  // the unmatched sentences of a side; in a comparable alignment a rejected pair's sentences are
  // among them (as filter --drop-rejected --keep-empty lists them), marked with their link
  function unmatched(side, doc, list) {
    var shownIds = list.filter(function (i) { return found(side, [i]); });
    var rej = state['rejected_' + side] || {}, nRej = list.filter(function (i) { return rej[i] !== undefined; }).length;
    var notes = [];
    if (nRej) notes.push(nRej + ' in a rejected link');
    if (shownIds.length < list.length) notes.push(shownIds.length + (shownIds.length === 1 ? ' holds' : ' hold') + ' the search');
    document.getElementById('um-' + side + '-h').textContent = doc.label + ': ' + list.length + ' unmatched' +
      (notes.length ? ' (' + notes.join('; ') + ')' : '');
    var box = document.getElementById('um-' + side);
    box.textContent = '';
    shownIds.forEach(function (i) {
      // a button: reached with Tab, taken with Enter or Space as well as a click
      var it = el('button', 'ui'); it.type = 'button'; it.dataset.side = side; it.dataset.id = i;
      it.title = 'put ' + doc.label + ' ' + i + ' in the new-link form';
      it.appendChild(el('span', null, i));
      var t = marked(el('span', 'ut', doc.sentences[i])); t.setAttribute('dir', doc.dir); t.setAttribute('lang', doc.lang);
      it.appendChild(t);
      if (rej[i] !== undefined) {  // linked anew, the rejected link goes (Undo brings it back)
        it.classList.add('rej');
        it.dataset.rejected = rej[i];
        it.appendChild(el('span', 'badge rejected', 'rejected link ' + rej[i]));
        it.title += ' (it is in rejected link ' + rej[i] + ', which a new link of it removes)';
      }
      box.appendChild(it);
    });
    rove(side);
  }
  // Each unmatched list is one stop for Tab (a roving tabindex: the sentence last focused there,
  // else the first); m takes the focus into them, the arrows (or j / k), Home and End move in a
  // list, m again goes to the other side's, Esc back to the links (see the keydown handlers below)
  var roving = {src: null, tgt: null};  // the id of each list's sentence in the Tab order
  function items(side) { return Array.prototype.slice.call(document.querySelectorAll('#um-' + side + ' .ui')); }
  function rove(side, to) {
    var list = items(side);
    if (!list.length) return null;
    var cur = to || list.find(function (it) { return it.dataset.id === roving[side]; }) || list[0];
    roving[side] = cur.dataset.id;
    list.forEach(function (it) { it.tabIndex = it === cur ? 0 : -1; });
    return cur;
  }
  function focusItem(it) {
    rove(it.dataset.side, it);
    it.focus({preventScroll: true});
    it.scrollIntoView({block: 'nearest'});
  }
  // A split with one way to cut (a 1-1 link: two gaps; a gap of several sentences: a gap each) is
  // one click; any other link asks where (splitEditor): the first piece takes the sentences chosen
  // on each side, the second the rest, and the form says what each piece will be before it is sent
  function oneCut(k) { return !k.src.length || !k.tgt.length || (k.src.length === 1 && k.tgt.length === 1); }
  function span(list) {  // 3–5 for a run, 3,5 where a link skips a sentence
    return list.length > 1 && list[list.length - 1] - list[0] === list.length - 1
      ? list[0] + '–' + list[list.length - 1] : list.join(',');
  }
  function pieceWords(src, tgt) {
    var name = function (doc, list) { return doc.label + ' ' + span(list); };
    if (src.length && tgt.length) return name(state.src, src) + ' ↔ ' + name(state.tgt, tgt);
    return (src.length ? name(state.src, src) : name(state.tgt, tgt)) +
      (state.mode === 'comparable' ? ' unmatched' : ' unlinked');
  }
  function splitEditor(i, restore) {
    var k = state.links[i], m = document.querySelector('#L' + i + ' .m'), key = linkKey(k);
    if (!m || m.querySelector('form.split')) return;
    var f = el('form', 'split');
    f.appendChild(el('span', null, 'first piece:'));
    function side(doc, list, label) {
      var sel = el('select');
      sel.setAttribute('aria-label', 'first piece: ' + doc.label + ' sentences');
      for (var n = 0; n <= list.length; n++) {
        var o = el('option', null, n === 0 ? 'none' : span(list.slice(0, n)));
        o.value = n; sel.appendChild(o);
      }
      sel.value = String(Math.min(1, list.length));
      f.appendChild(el('span', null, label)); f.appendChild(sel);
      return sel;
    }
    var s = side(state.src, k.src, state.src.label), t = side(state.tgt, k.tgt, state.tgt.label);
    var said = el('span', 'pieces'); said.setAttribute('aria-live', 'polite');
    var ok = el('button', null, 'Split'); ok.type = 'submit';
    function cut() { return [+s.value, +t.value]; }
    function show() {
      var a = cut()[0], b = cut()[1];
      var bad = (a === 0 && b === 0) || (a === k.src.length && b === k.tgt.length);
      ok.disabled = bad;
      if (bad) { said.textContent = 'each piece needs a sentence'; return; }
      var parts = [[k.src.slice(0, a), k.tgt.slice(0, b)], [k.src.slice(a), k.tgt.slice(b)]].map(function (p) {
        if (p[0].length && p[1].length) return pieceWords(p[0], p[1]);
        return p[0].map(function (x) { return pieceWords([x], []); }).concat(
          p[1].map(function (y) { return pieceWords([], [y]); })).join(', ');
      });
      said.textContent = '→ ' + parts.join('; ');
    }
    s.addEventListener('change', show); t.addEventListener('change', show);
    f.appendChild(ok);
    function cancel() { var r = f.closest('.r[data-i]'); f.remove(); if (r) r.focus({preventScroll: true}); }
    var no = el('button', null, 'Cancel'); no.type = 'button'; no.addEventListener('click', cancel);
    f.appendChild(no);
    f.appendChild(said);
    f.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') { e.preventDefault(); cancel(); }
      // Enter in a select sends the form, as in a text field (a select alone does not)
      else if (e.key === 'Enter' && e.target.tagName === 'SELECT') { e.preventDefault(); f.requestSubmit(); }
    });
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      if (ok.disabled) return;
      linkOp(key, 'split', {src_at: cut()[0], tgt_at: cut()[1]}, function (j) { return 'split link ' + j; });
    });
    m.appendChild(f);
    if (restore) { s.value = restore.values[0]; t.value = restore.values[1]; }
    show();
    var back = restore ? (restore.focus === 0 ? s : restore.focus === 1 ? t : null) : s;
    if (back) back.focus({preventScroll: !!restore});
  }
  function relinkEditor(i, restore) {
    var k = state.links[i], m = document.querySelector('#L' + i + ' .m'), key = linkKey(k);
    if (!m || m.querySelector('.relink')) return;
    var f = el('form', 'relink');
    var s = el('input'); s.value = k.src.join(','); s.setAttribute('aria-label', state.src.label + ' sentences');
    var t = el('input'); t.value = k.tgt.join(','); t.setAttribute('aria-label', state.tgt.label + ' sentences');
    f.appendChild(el('span', null, state.src.label)); f.appendChild(s);
    f.appendChild(el('span', null, state.tgt.label)); f.appendChild(t);
    var ok = el('button', null, 'Save'); ok.type = 'submit'; f.appendChild(ok);
    function cancel() { var r = f.closest('.r[data-i]'); f.remove(); if (r) r.focus({preventScroll: true}); }
    var no = el('button', null, 'Cancel'); no.type = 'button'; no.addEventListener('click', cancel);
    f.appendChild(no);
    f.addEventListener('keydown', function (e) { if (e.key === 'Escape') { e.preventDefault(); cancel(); } });
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      linkOp(key, 'relink', {src: s.value, tgt: t.value}, function (j) { return 'relinked link ' + j; });
    });
    m.appendChild(f);
    if (!restore) { s.focus(); return; }
    s.value = restore.values[0]; t.value = restore.values[1];
    var back = restore.focus === 0 ? s : restore.focus === 1 ? t : null;
    if (back) { back.focus({preventScroll: true}); if (restore.caret !== null) back.setSelectionRange(restore.caret, restore.caret); }
  }
  document.getElementById('grid').addEventListener('click', function (e) {
    var b = e.target.closest('button[data-act]');
    if (!b) return;
    var i = parseInt(b.dataset.i, 10), k = state.links[i], key = linkKey(k);
    var said = function (what) { return function (j) { return 'link ' + j + ' ' + what; }; };
    switch (b.dataset.act) {
      case 'accept': linkOp(key, 'status', {status: k.status === 'accepted' ? '' : 'accepted'}, said(k.status === 'accepted' ? 'unmarked' : 'accepted')); break;
      case 'reject': linkOp(key, 'status', {status: k.status === 'rejected' ? '' : 'rejected'}, said(k.status === 'rejected' ? 'unmarked' : 'rejected')); break;
      case 'merge': linkOp(key, 'merge', {}, function (j) { return 'merged links ' + j + ' and ' + (j + 1); }, linkKey(state.links[i + 1])); break;
      case 'split':
        if (oneCut(k)) linkOp(key, 'split', {}, function (j) { return 'split link ' + j; });
        else splitEditor(i);
        break;
      case 'delete': linkOp(key, 'delete', {}, function (j) { return 'removed link ' + j; }, undefined, true); break;
      case 'relink': relinkEditor(i); break;
    }
  });
  function saveNote(field) {
    var home = field.closest('.r[data-i]');
    if (!home) return;
    var key = home.dataset.key, value = field.value;
    delete field.dataset.unsaved;
    failed = failed.filter(function (f) { return f.note !== key; });  // no longer true once it is sent
    // refused (another tab saved first: the page reloads), the note typed goes back in its field
    linkOp(key, 'note', {note: value}, function (j) { return 'note on link ' + j; }, undefined, true,
           function () { unsavedNotes[key] = value; });
  }
  document.getElementById('grid').addEventListener('change', function (e) {
    if (!e.target.classList.contains('note') || rendering) return;
    saveNote(e.target);
  });
  document.getElementById('grid').addEventListener('keydown', function (e) {
    // Enter saves a note and gives the keys back to its row (blur() left them on the page body,
    // so j went to the first row in view and a accepted that row)
    if (e.target.classList.contains('note') && e.key === 'Enter') {
      // a note put back after a refusal is no change to the field: Enter saves it all the same
      if (e.target.dataset.unsaved) saveNote(e.target);
      var back = e.target.closest('.r[data-i]');
      if (back) back.focus({preventScroll: true}); else e.target.blur();
      return;
    }
    // a / r / u: accept / reject / unmark the link whose row (or a button in it) has focus; not
    // while typing. Unlike the buttons they are no toggles: a second a (or a on a link the reviewer
    // built, saved as accepted) leaves the link accepted, it does not unmark it
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    var key = e.key.toLowerCase();
    var status = key === 'a' ? 'accepted' : key === 'r' ? 'rejected' : key === 'u' ? '' : null;
    if (status === null || !state) return;
    var r = e.target.closest('.r[data-i]');
    if (!r) return;
    e.preventDefault();
    var i = parseInt(r.dataset.i, 10), k = state.links[i];
    if (!k) return;
    if ((k.status || '') === status) {
      report('link ' + i + (status ? ' is already ' + status : ' is not marked') + ': nothing to change');
      return;
    }
    linkOp(linkKey(k), 'status', {status: status}, function (j) { return 'link ' + j + ' ' + (status || 'unmarked'); });
  });
  // j / k (or the arrows): the next / previous link the "show" menu lets through, from the focused
  // row (or the first one in view); not while typing in a field, nor from the header's controls
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (!state || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable) return;
    var key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    var step = key === 'j' || key === 'ArrowDown' ? 1 : key === 'k' || key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    var cur = t.closest && t.closest('#grid .r[data-i]');
    if (!cur && t !== document.body && t !== document.documentElement) return;
    var n = cur ? neighbour(cur, step) : firstInView();
    if (n) { e.preventDefault(); focusRow(n); }
  });
  window.addEventListener('resize', bars);
  document.getElementById('grid').addEventListener('mousedown', function (e) {
    var r = e.target.closest('.r[data-i]');
    if (r && !e.target.closest('button, input, form')) r.focus({preventScroll: true});
  });
  document.getElementById('unmatched').addEventListener('focusin', function (e) {
    var it = e.target.closest && e.target.closest('.ui');
    if (it) rove(it.dataset.side, it);  // a click or Tab: the list's stop is the sentence focused
  });
  document.getElementById('unmatched').addEventListener('keydown', function (e) {
    var it = e.target.closest && e.target.closest('.ui');
    if (!it || e.ctrlKey || e.metaKey || e.altKey) return;
    var key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === 'Escape') {  // back to the link last worked on (else the first one in view)
      e.preventDefault();
      var r = shownRow(lastRow()) || firstInView() ||
        Array.prototype.find.call(document.querySelectorAll('#grid .r[data-i]'), function (x) { return x.offsetParent !== null; });
      if (r) focusRow(r);
      return;
    }
    var list = items(it.dataset.side), at = list.indexOf(it);
    var to = key === 'ArrowDown' || key === 'j' ? at + 1 : key === 'ArrowUp' || key === 'k' ? at - 1
      : key === 'Home' ? 0 : key === 'End' ? list.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    if (to >= 0 && to < list.length) focusItem(list[to]);
  });
  // m: to the unmatched sentences (the source list, else the target one); in a list, to the other
  // side's; not while typing in a field
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (!state || e.key.toLowerCase() !== 'm' || e.ctrlKey || e.metaKey || e.altKey ||
        /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable) return;
    e.preventDefault();
    var from = t.closest && t.closest('#unmatched .ui');
    var order = from && from.dataset.side === 'src' ? ['tgt', 'src'] : ['src', 'tgt'];
    for (var n = 0; n < order.length; n++) {
      var it = rove(order[n]);
      if (it) { if (it !== from) focusItem(it); return; }
    }
    report(state.unmatched_src.length || state.unmatched_tgt.length
      ? 'no unmatched sentence holds the search' : 'no unmatched sentences');
  });
  document.getElementById('unmatched').addEventListener('click', function (e) {
    var it = e.target.closest('.ui');
    if (!it) return;
    var input = document.getElementById('new-' + it.dataset.side);
    // what is there already, typed with Arabic digits or the Arabic comma too (the server takes both)
    var cur = input.value.split(/[\s,\u060C]+/).filter(Boolean).map(function (x) { return fold ? fold(x) : x; });
    if (cur.indexOf(it.dataset.id) < 0) cur.push(it.dataset.id);
    input.value = cur.join(',');
  });
  document.getElementById('below-list').addEventListener('click', function (e) {
    var b = e.target.closest('button[data-s]');
    if (!b) return;
    op('relink', {src: b.dataset.s, tgt: b.dataset.t}, 'new link ' + b.dataset.s + ' ↔ ' + b.dataset.t);
  });
  document.getElementById('newlink').addEventListener('submit', function (e) {
    e.preventDefault();
    var s = document.getElementById('new-src'), t = document.getElementById('new-tgt');
    op('relink', {src: s.value, tgt: t.value}, function () { s.value = ''; t.value = ''; return 'new link'; });
  });
  document.getElementById('undo').addEventListener('click', undo);
  // go to link N (as in the report): on a long file the row may not be drawn yet, or the search or
  // the "show" menu may hide it; Enter takes the focus there, so a / r / j work from it
  var go = document.getElementById('go');
  go.addEventListener('input', function () { go.setCustomValidity(''); });
  go.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || !state) return;
    e.preventDefault();
    var v = (fold ? fold(go.value) : go.value).trim(), i = /^[0-9]+$/.test(v) ? +v : -1;
    var why = i < 0 || i >= state.links.length ? 'no link ' + go.value + ' (links 0 to ' + (state.links.length - 1) + ')'
      : visible && visible.indexOf(i) < 0 ? 'link ' + i + ' does not hold the search' : '';
    var row = why ? null : shownRow(i);
    if (!why && !row) why = 'link ' + i + ' is hidden by the "show" menu';
    go.setCustomValidity(why);
    if (why) { go.reportValidity(); return; }
    flash(i);
    focusRow(row);
  });
  var typed = null;
  // the link the reader last worked on (a row or a button in it had the focus) goes in the address:
  // a reload comes back to it, and a search cleared (or changed), which draws the rows from the
  // top again, keeps it in the page
  document.getElementById('grid').addEventListener('focusin', function (e) {
    var r = e.target.closest && e.target.closest('.r[data-i]');
    var at = r && state && state.links[+r.dataset.i] ? anchorOf(+r.dataset.i) : null;
    if (at && location.hash !== at) history.replaceState(null, '', location.pathname + location.search + at);
  });
  // the view (the "show" menu, the search and its options) survives a reload of the tab: kept in
  // the tab's session storage, and read back from the fields (which the browser may also have
  // filled in) before the rows are drawn, so the page never shows one filter and draws another
  var VIEW_KEY = 'parallel-review-view';
  function saveView() {
    try {
      sessionStorage.setItem(VIEW_KEY, JSON.stringify({show: document.getElementById('show').value,
        find: document.getElementById('find').value, cased: cased.checked, word: word.checked}));
    } catch (e) { /* storage refused (private mode, quota): the view is simply not kept */ }
  }
  function restoreView() {
    var v = null;
    try { v = JSON.parse(sessionStorage.getItem(VIEW_KEY) || 'null'); } catch (e) { v = null; }
    if (!v || typeof v !== 'object') return;
    var show = document.getElementById('show');
    if (typeof v.show === 'string' && Array.prototype.some.call(show.options, function (o) { return o.value === v.show; })) show.value = v.show;
    if (typeof v.find === 'string') document.getElementById('find').value = v.find;
    cased.checked = v.cased === true; word.checked = v.word === true;
  }
  // what the "show" menu and the search box say, as the grid's class and the folded query
  function applyShow() {
    var show = document.getElementById('show').value;
    document.getElementById('grid').className = 'grid' + (show ? ' ' + show : '');
  }
  function findQuery() {
    return fold ? (cased.checked ? foldCase : fold)(document.getElementById('find').value).trim() : '';
  }
  function applyView() { applyShow(); query = findQuery(); }
  function search() {
    saveView();
    query = findQuery();
    shown = 0;
    if (!state) return;
    render();
    var r = shownRow(lastRow());
    if (r) r.scrollIntoView({block: 'center'});
  }
  document.getElementById('find').addEventListener('input', function () {
    clearTimeout(typed);
    typed = setTimeout(search, 120);
  });
  cased.addEventListener('change', search);
  word.addEventListener('change', search);
  window.addEventListener('beforeunload', function (e) {
    var dirty = Array.prototype.some.call(document.querySelectorAll('#grid input.note'), function (n) {
      var k = state && state.links[parseInt(n.dataset.i, 10)];
      return k && n.value !== k.note;
    });
    if (dirty || waiting > 0) { e.preventDefault(); e.returnValue = ''; }
  });
  document.getElementById('show').addEventListener('change', function () { applyShow(); saveView(); });
  // Another file is opened once the changes on their way are saved (each to the file it was made
  // on): switched at once, a reply for the old file drew its links over the new file's sentences,
  // and a queued change went out with the new file's name. A change asked for on the old file's
  // rows after the switch is not sent (generation): redo it.
  document.getElementById('file').addEventListener('change', function (e) {
    var next = e.target.value;
    if (waiting) setStatus('opening ' + next + ' once the changes on their way are saved…', true);
    queue = queue.then(function () {
      generation++;
      file = next;
      history.replaceState(null, '', '?file=' + encodeURIComponent(file));
      return load();
    });
  });
  restoreView();
  load();
})();
