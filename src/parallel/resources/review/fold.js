// Text folded for search as parallel.normalize.fold does (and so `grep`): compatibility forms as
// their letters (NFKC), Arabic diacritics, tatweel and invisible marks dropped, alef/hamza/ya/ta
// marbuta variants as one letter, Arabic-Indic digits as ASCII, typographic quotes and dashes as
// ASCII (before NFKC, which would take ″ as two primes), accents of other letters dropped, case
// folded (kept with `keepCase`, as `grep -S` keeps it), white space runs as one space, the Qur'an's
// Uthmani spelling read as the standard one (makeSearchSpelling). `tables`: normalize.fold_tables()
// (marks, letters, digits, punct, uthmani), so the rules live in one place.
function makeFold(tables, keepCase) {
  'use strict';
  var marks = new Set(Array.from(tables.marks)), letters = tables.letters, digits = tables.digits;
  var punct = tables.punct || {}, casefold = tables.casefold || {};
  function has(map, ch) { return Object.prototype.hasOwnProperty.call(map, ch); }
  var mn = /\p{Mn}/u, seen = new Map();
  function arabic(cp) { return (cp >= 0x600 && cp <= 0x8FF) || (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF); }
  function one(ch) {
    var out = seen.get(ch);
    if (out !== undefined) return out;
    if (marks.has(ch)) out = '';
    else if (has(letters, ch)) out = letters[ch];
    else if (has(digits, ch)) out = digits[ch];
    else if (has(punct, ch)) out = punct[ch];
    else {
      out = ch;
      var cp = ch.codePointAt(0), d = ch.normalize('NFD');
      if (cp > 127 && !arabic(cp) && (Array.from(d).length > 1 || mn.test(ch))) {
        out = Array.from(d).filter(function (c) { return !mn.test(c); })
          .map(function (c) { return has(letters, c) ? letters[c] : c; }).join('');
      }
      // Python's casefold: toLowerCase where the two agree, the table where they do not (ß, ς, ſ)
      if (!keepCase) out = Array.from(out).map(function (c) { return has(casefold, c) ? casefold[c] : c.toLowerCase(); }).join('');
    }
    seen.set(ch, out);
    return out;
  }
  var spelling = tables.uthmani ? makeSearchSpelling(tables.uthmani, marks, letters) : function (t) { return t; };
  var fold = function (text) {
    var out = '', typed = '';
    for (var c of String(text)) typed += has(punct, c) ? punct[c] : c;
    for (var ch of spelling(typed.normalize('NFKC'))) out += one(ch);
    return out.replace(/[\s\x1c-\x1f\x85]+/g, ' ');  // Python's white space (str.isspace) has \x1c-\x1f and \x85 too
  };
  // `text` folded, with for each folded UTF-16 unit the offset in `text` of the character it comes
  // from (`starts`), as parallel.concordance.fold_with_map: compatibility forms taken one character
  // at a time (NFKC of the whole text may join two), the rest one character for its folding (the
  // Uthmani spelling is one unit for one). For the pages to mark what a search found, as written.
  fold.withMap = function (text) {
    var nfkc = '', where = [], at = 0, space = /[\s\x1c-\x1f\x85]/;
    for (var c of String(text)) {
      var n = (has(punct, c) ? punct[c] : c).normalize('NFKC');
      nfkc += n;
      for (var k = 0; k < n.length; k++) where.push(at);
      at += c.length;
    }
    var out = '', starts = [], from = 0;
    for (var ch of spelling(nfkc)) {
      var f = one(ch);
      for (var u = 0; u < f.length; u++) {
        var x = space.test(f[u]) ? ' ' : f[u];
        if (x === ' ' && out[out.length - 1] === ' ') continue;  // a run of white space as one space
        out += x; starts.push(where[from]);
      }
      from += ch.length;
    }
    return {folded: out, starts: starts};
  };
  return fold;
}
// Does folded text hold the folded query? With `word` (as `grep -w`, whose pattern is
// (?<!\w)query(?!\w)), only where no word character comes right before or after it: a letter of
// any script, a digit or an underscore, Python's \w; an Arabic word may carry the proclitics
// written onto it (والصحة holds الصحة as a word: holdsQuery).
var WORD_CHAR = /^[\p{L}\p{N}_]$/u;
// A number of four digits or more in the query matches it written with or without thousands
// separators, a comma, a full stop, a space or an apostrophe, the same one throughout the number
// (1000: 1,000, ١٬٠٠٠ folded to 1,000, 1.000, 1 000; 1234567 not 1,234.567; a query's 1.234.567,
// 1 234 567 and 1'234'567 are the number, its 2.500 is searched as written), and a space between two
// Arabic-script letters matches a space or none (سه شنبه: سه‌شنبه, سهشنبه), as grep's pattern does
// (parallel.concordance.literal_pattern): the query as a regular expression, or null when it
// holds neither.
var AR_LETTER = '\u0620-\u064a\u066e-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff\u0750-\u077f\u08a0-\u08c9';
var AR_START = new RegExp('^[' + AR_LETTER + ']', 'u');
var AR_GAP = new RegExp('(?<=[' + AR_LETTER + ']) (?=[' + AR_LETTER + '])', 'u');
var numberPatterns = new Map();
function numberPattern(query) {
  if (numberPatterns.has(query)) return numberPatterns.get(query);
  var plain = query.replace(/([0-9]),(?=[0-9]{3}(?![0-9]))/g, '$1')
    .replace(/(?<![0-9])(?<![0-9][.,' ])[0-9]{1,3}(?:(?:\.[0-9]{3}){2,}|(?: [0-9]{3})+|(?:'[0-9]{3})+)(?![0-9])/g,
             function (m) { return m.replace(/[. ']/g, ''); });
  var rx = null;
  if (/[0-9]{4}/.test(plain) || AR_GAP.test(plain)) {
    var n = 0, src = '', last = 0, runs = /[0-9]{4,}/g, m;
    var literal = function (text) {
      return text.split(new RegExp(AR_GAP.source, 'gu')).map(function (part) {
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }).join(' ?');
    };
    while ((m = runs.exec(plain)) !== null) {
      var run = m[0], head = run.length % 3 || 3, parts = [run.slice(0, head)];
      for (var k = head; k < run.length; k += 3) parts.push(run.slice(k, k + 3));
      var number = parts[0] + '(?<s' + n + ">[,. ']?)" + parts[1];
      for (var q = 2; q < parts.length; q++) number += '\\k<s' + n + '>' + parts[q];
      src += literal(plain.slice(last, m.index)) + number;
      last = m.index + run.length;
      n++;
    }
    rx = new RegExp(src + literal(plain.slice(last)), 'gu');
  }
  numberPatterns.set(query, rx);
  return rx;
}
function holdsQuery(folded, query, word) { return queryHits(folded, query, word, false); }
// Where folded text holds the folded query: true / false, or with `all` every place, [start, end)
// in the folded text, left to right, none overlapping (as grep's re.finditer).
function queryHits(folded, query, word, all) {
  // an Arabic word (as parallel.concordance._arabic_word): whole with -w but for the proclitics
  // written onto it (و ف, then ب ك ل: والزكاة), and a pattern opening with the article ال also
  // after the preposition ل, which drops its alef (للرحمن)
  if (AR_START.test(query)) {
    var own = findQuery(folded, query, word ? clitics : null, word, all);
    if (own === true) return true;
    var lam = query.length > 2 && query.slice(0, 2) === 'ال' && !/\s/.test(query[2])
      ? findQuery(folded, 'ل' + query.slice(2), word ? afterLam : lamBefore, word, all) : all ? [] : false;
    if (!all) return lam;
    var out = [];
    own.concat(lam).sort(function (a, b) { return a[0] - b[0]; }).forEach(function (h) {
      if (!out.length || h[0] >= out[out.length - 1][1]) out.push(h);
    });
    return out;
  }
  return findQuery(folded, query, word ? wordStart : null, word, all);
}
// What a search found below the links, for the pages' count of what it shows ("0 of 2 links
// shown" said nothing of hits further down): "; further down, 1 pair below the bar and 3
// unmatched sentences hold the search", or '' when there are none.
function furtherDown(pairs, sentences) {
  var parts = [];
  if (pairs) parts.push(pairs + (pairs === 1 ? ' pair' : ' pairs') + ' below the bar');
  if (sentences) parts.push(sentences + ' unmatched sentence' + (sentences === 1 ? '' : 's'));
  if (!parts.length) return '';
  return '; further down, ' + parts.join(' and ') + (parts.length === 1 && pairs + sentences === 1 ? ' holds' : ' hold') + ' the search';
}
function isWordChar(ch) { return ch !== undefined && WORD_CHAR.test(ch); }
// Would folded[at:end] split a number whose groups of three digits a separator joins (a comma, a
// full stop, a space or an apostrophe after 1-3 digits)? As a whole word (`grep -w`) a number is
// whole: 800 is not the tail of 379,800 (nor 1,800), 379 not its head, 12 not the head of 12 000;
// a decimal is no group (2019 in 2019.5 is whole). parallel.concordance._NUMBER_START / _NUMBER_END.
var GROUP_BEFORE = /(?<![0-9])[0-9]{1,3}[,. ']$/, GROUP_AT = /^[0-9]{3}(?![0-9])/;
var RUN_BEFORE = /(?<![0-9])[0-9]{1,3}$/, GROUP_AFTER = /^[,. '][0-9]{3}(?![0-9])/;
function splitsNumber(folded, at, end) {
  return (GROUP_AT.test(folded.slice(at, at + 4)) && GROUP_BEFORE.test(folded.slice(Math.max(0, at - 5), at)))
    || (GROUP_AFTER.test(folded.slice(end, end + 5)) && RUN_BEFORE.test(folded.slice(Math.max(0, end - 4), end)));
}
function charBefore(folded, at) { return Array.from(folded.slice(Math.max(0, at - 2), at)).pop(); }
function wordStart(folded, at) { return !isWordChar(charBefore(folded, at)); }
function clitics(folded, at) {  // a word's start, or one or two proclitics at a word's start
  if (wordStart(folded, at)) return true;
  if ('وفبكل'.indexOf(folded[at - 1]) >= 0 && wordStart(folded, at - 1)) return true;
  return 'بكل'.indexOf(folded[at - 1]) >= 0 && 'وف'.indexOf(folded[at - 2]) >= 0 && wordStart(folded, at - 2);
}
function lamBefore(folded, at) { return folded[at - 1] === 'ل'; }
function afterLam(folded, at) {
  return lamBefore(folded, at) && (wordStart(folded, at - 1)
    || ('وف'.indexOf(folded[at - 2]) >= 0 && wordStart(folded, at - 2)));
}
// Does folded text hold the query at a place `starts` accepts (null: anywhere), and with `word`
// whole at its end and no piece of a number grouped in thousands? With `all`: every such place,
// [start, end), none overlapping.
function findQuery(folded, query, starts, word, all) {
  var rx = numberPattern(query), at, len, out = [];
  function next(from) {
    if (!rx) { at = folded.indexOf(query, from); len = query.length; return at >= 0; }
    rx.lastIndex = from;
    var m = rx.exec(folded);
    if (!m) return false;
    at = m.index; len = m[0].length;
    return true;
  }
  for (var from = 0; next(from);) {
    if ((!starts || starts(folded, at))
        && (!word || (!isWordChar(Array.from(folded.slice(at + len, at + len + 2))[0]) && !splitsNumber(folded, at, at + len)))) {
      if (!all) return true;
      out.push([at, at + len]);
      from = at + len;
    } else from = at + 1;
  }
  return all ? out : false;
}
// Where `text` (as written) holds the folded query, as [start, end) offsets in it, for the pages to
// mark: what grep shows as the match (parallel.concordance._search: it ends after the marks of its
// last letter). `fold`: makeFold's, with case kept or not as the search. None where the text's
// folding with a map (fold.withMap) is not the folding searched: nothing is marked then, never
// the wrong letters.
function queryPlaces(text, query, word, fold) {
  text = String(text);
  var m = fold.withMap(text), out = [], hits = query ? queryHits(m.folded, query, word, true) : [];
  if (!hits.length || m.folded !== fold(text)) return out;
  hits.forEach(function (h) {
    var a = m.starts[h[0]], last = m.starts[h[1] - 1], b = last + (text.codePointAt(last) > 0xFFFF ? 2 : 1);
    while (b < text.length && text[b] !== '\u200c') {
      var c = String.fromCodePoint(text.codePointAt(b));
      if (fold(c) !== '') break;
      b += c.length;
    }
    if (!out.length || a >= out[out.length - 1][1]) out.push([a, b]);
  });
  return out;
}
// The pages' marks of what a search found: a CSS highlight named "hit" (styled ::highlight(hit)),
// ranges over the text nodes, so the text itself is not touched (no element splits an Arabic word,
// whose letters stay joined; copying copies the text as written). A browser without CSS custom
// highlights shows the search's rows unmarked. `mark(node, places)` adds the places
// (queryPlaces) of a text node; one not in the page yet waits for `flush()`, called once it is (a
// range in a node that moves, as out of a DocumentFragment, collapses); `clear()` takes every mark away.
function makeMarks() {
  var hl = window.CSS && CSS.highlights && typeof Highlight === 'function' ? new Highlight() : null, pending = [];
  if (hl) CSS.highlights.set('hit', hl);
  function add(node, places) {
    places.forEach(function (p) { var r = document.createRange(); r.setStart(node, p[0]); r.setEnd(node, p[1]); hl.add(r); });
  }
  return {
    mark: function (node, places) {
      if (!hl || !places.length) return;
      if (node.isConnected) add(node, places); else pending.push([node, places]);
    },
    flush: function () {
      var waiting = pending;
      pending = [];
      waiting.forEach(function (w) { if (w[0].isConnected) add(w[0], w[1]); });
    },
    clear: function () { pending = []; if (hl) hl.clear(); }
  };
}
// The Qur'an's Uthmani spelling as the standard one, one character for one (UTF-16 units: every
// character it touches is in the BMP), as parallel.normalize.search_spelling writes it: so that
// الصلاة, القرآن and الحاسبين find ٱلصَّلَوٰةَ, ٱلۡقُرۡءَانُ and ٱلۡحَٰسِبِينَ. `u`: fold_tables().uthmani;
// `marks`, `letters`: the fold's, for the words that keep their dagger alef unwritten (هذا, الله).
function makeSearchSpelling(u, marks, letters) {
  'use strict';
  var DROP = '\u0640', DAGGER = '\u0670';
  var tatweelHamza = new RegExp(u.tatweel_hamza, 'gd'), word = new RegExp(u.word, 'g');
  var hamzaAlef = new RegExp(u.hamza_alef, 'g'), seatMarks = new Set(Array.from(u.marks));
  var unwrittenWords = new Set(u.unwritten), uthmani = /[\u0671\u06E5\u06E6\u06E7\u06E8]/;
  function any(text, set) { for (var c of text) if (set.indexOf(c) >= 0) return true; return false; }
  function seatOf(g) {  // normalize._seat_of: [seat, is the alef after it a tanwin's]
    var letter = g[1] || '', vowels = (g[2] || '') + (g[3] || '') + (g[4] || '');
    var tanwin = any((g[3] || '') + (g[4] || ''), u.fathatan);
    if (letter === 'ي' || letter === 'ى') return ['ئ', false];
    if ((g[5] || (g[3] || '').indexOf(DAGGER) >= 0) && !tanwin) return ['آ', false];
    if (any(vowels, u.kasra)) return ['ئ', false];
    if (any(vowels, u.damma)) return ['ؤ', false];
    if (any(vowels, u.fatha)) return ['أ', tanwin];
    return ['ئ', false];
  }
  function unwritten(w) {  // normalize._unwritten
    var bare = '';
    for (var c of w) if (!marks.has(c)) bare += (letters[c] === 'ا' ? 'ا' : c);
    for (var k = 0; k < 3; k++) {
      if (/^[وفبلك]*$/.test(bare.slice(0, k)) && unwrittenWords.has(bare.slice(k))) return true;
    }
    return false;
  }
  function nextLetter(chars, k, step) {
    while (k >= 0 && k < chars.length && seatMarks.has(chars[k])) k += step;
    return k;
  }
  function daggerAlefs(chars, start, end) {  // normalize._dagger_alefs
    for (var k = start; k < end; k++) {
      if (chars[k] !== DAGGER) continue;
      var before = nextLetter(chars, k - 1, -1), after = nextLetter(chars, k + 1, 1);
      if (before < start) continue;
      var last = after >= end;
      if (chars[before] === 'ى') { if (!last) chars[before] = 'ا'; }
      else if (chars[before] === 'و' && !last && chars[after] === 'ة') chars[before] = 'ا';
      else if (last || (chars[after] !== 'ا' && chars[after] !== 'آ')) chars[k] = 'ا';
    }
  }
  return function (text) {
    var isUthmani = uthmani.test(text) || (text.indexOf('\u0654') >= 0 && text.indexOf('\u0640') >= 0);
    if (!isUthmani && text.indexOf(DAGGER) < 0) return text;
    var chars = text.split(''), m;
    if (isUthmani) {
      tatweelHamza.lastIndex = 0;
      while ((m = tatweelHamza.exec(text)) !== null) {
        var s = seatOf(m);
        chars[m.indices[3][0] - 1] = s[0] === 'آ' ? 'ء' : s[0];
        chars[m.indices[4][0] - 1] = DROP;
        if (s[1] && m[5]) chars[m.indices[5][0]] = DROP;
        if (m[0] === '') tatweelHamza.lastIndex++;
      }
    }
    word.lastIndex = 0;
    while ((m = word.exec(text)) !== null) {
      if (m[0].indexOf(DAGGER) >= 0 && !unwritten(m[0])) daggerAlefs(chars, m.index, m.index + m[0].length);
    }
    if (isUthmani) {
      var joined = chars.join('');
      hamzaAlef.lastIndex = 0;
      while ((m = hamzaAlef.exec(joined)) !== null) {
        if (!any(m[1], u.fathatan)) chars[m.index] = DROP;
      }
      for (var k = 0; k < chars.length; k++) {
        var c = chars[k];
        if (c === '\u06E5' || c === '\u06E6') chars[k] = DROP;
        else if (c === '\u06E7') chars[k] = 'ي';
        else if (c === '\u06E8') chars[k] = 'ن';
      }
    }
    return chars.join('');
  };
}
