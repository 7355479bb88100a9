'use strict';
// $util.transform.toSubscriptionFilter and the evaluation of enhanced
// filters (patches.js, gap 3) against the examples of AppSync's reference.

const test = require('node:test');
const assert = require('node:assert/strict');
const { toSubscriptionFilter, matchesSubscriptionFilter, matchesSubscriptionArguments } = require('./patches');

const f = (fieldName, operator, value) => ({ fieldName, operator, value });

test('toSubscriptionFilter: fields AND, several operators on a field OR, and/or nest (AppSync example, argument 1)', () => {
  const out = toSubscriptionFilter({
    percentageUp: { lte: 50, gte: 20 },
    and: [{ title: { ne: 'Book1' } }, { downvotes: { gt: 2000 } }],
    or: [{ author: { eq: 'Admin' } }, { isPublished: { eq: false } }],
  });
  const rest = [f('title', 'ne', 'Book1'), f('downvotes', 'gt', 2000)];
  assert.deepEqual(out, {
    filterGroup: [
      { filters: [f('percentageUp', 'le', 50), ...rest, f('author', 'eq', 'Admin')] },
      { filters: [f('percentageUp', 'le', 50), ...rest, f('isPublished', 'eq', false)] },
      { filters: [f('percentageUp', 'ge', 20), ...rest, f('author', 'eq', 'Admin')] },
      { filters: [f('percentageUp', 'ge', 20), ...rest, f('isPublished', 'eq', false)] },
    ],
  });
});

test('toSubscriptionFilter: ignored fields (argument 2) and strict rules (argument 3)', () => {
  const input = {
    percentageUp: { lte: 50, gte: 20 },
    and: [{ title: { ne: 'Book1' } }, { downvotes: { gt: 20 } }],
    or: [{ author: { eq: 'Admin' } }, { isPublished: { eq: false } }],
  };
  const base = [f('title', 'ne', 'Book1'), f('downvotes', 'gt', 20), f('isPublished', 'eq', false)];
  assert.deepEqual(toSubscriptionFilter(input, ['percentageUp', 'author']), { filterGroup: [{ filters: base }] });
  assert.deepEqual(toSubscriptionFilter(input, ['percentageUp', 'author'], { upvotes: { gte: 250 }, author: { eq: 'Person1' } }), {
    filterGroup: [{ filters: [...base, f('upvotes', 'ge', 250)] }, { filters: [...base, f('author', 'eq', 'Person1')] }],
  });
});

test('toSubscriptionFilter: the shapes Amplify resolvers build', () => {
  // Owner rule alone.
  assert.deepEqual(toSubscriptionFilter({ or: [{ owner: { eq: 's::u' } }] }), { filterGroup: [{ filters: [f('owner', 'eq', 's::u')] }] });
  // Owner rule AND the subscriber's filter.
  assert.deepEqual(
    toSubscriptionFilter({ and: [{ or: [{ owner: { eq: 's::u' } }] }, { priority: { gt: 5 }, done: { eq: true } }] }),
    { filterGroup: [{ filters: [f('owner', 'eq', 's::u'), f('priority', 'gt', 5), f('done', 'eq', true)] }] },
  );
  // Null conditions (unset input fields) are left out; unknown operators are refused.
  assert.deepEqual(toSubscriptionFilter({ content: { eq: null, beginsWith: 'a' }, done: null }), {
    filterGroup: [{ filters: [f('content', 'beginsWith', 'a')] }],
  });
  assert.throws(() => toSubscriptionFilter({ content: { like: 'a' } }), /unknown operator "like"/);
});

test('operators', () => {
  const payload = { n: 5, s: 'AWS AppSync', b: false, seats: [10, 11], tags: ['a', 'b'], location: { address: { country: 'USA' } } };
  const m = (fieldName, operator, value) => matchesSubscriptionFilter({ filterGroup: [{ filters: [f(fieldName, operator, value)] }] }, payload);
  const cases = [
    ['s', 'eq', 'AWS AppSync', true],
    ['s', 'eq', 'aws appsync', false], // case sensitive
    ['b', 'eq', false, true],
    ['s', 'ne', 'x', true],
    ['s', 'ne', 'AWS AppSync', false],
    ['missing', 'ne', 'x', true],
    ['missing', 'eq', 'x', false],
    ['n', 'le', 5, true],
    ['n', 'lt', 5, false],
    ['n', 'ge', 5, true],
    ['n', 'gt', 4, true],
    ['n', 'gt', '4', false], // no comparison across types
    ['s', 'gt', 'AWS', true],
    ['seats', 'contains', 10, true],
    ['seats', 'contains', 12, false],
    ['s', 'contains', 'App', true],
    ['s', 'notContains', 'App', false],
    ['seats', 'notContains', 12, true],
    ['s', 'beginsWith', 'AWS', true],
    ['s', 'beginsWith', 'App', false],
    ['n', 'in', [1, 5], true],
    ['n', 'in', [1, 2], false],
    ['n', 'notIn', [1, 2], true],
    ['n', 'notIn', [5], false],
    ['n', 'between', [1, 10], true],
    ['n', 'between', [5, 10], false], // the reference: between [1,5] matches 2, 3, 4
    ['n', 'between', [1, 5], false],
    ['s', 'between', ['A', 'B'], true],
    ['seats', 'containsAny', [10, 15], true],
    ['seats', 'containsAny', [12, 15], false],
    ['location.address.country', 'eq', 'USA', true],
    ['location.address.city', 'eq', 'USA', false],
  ];
  for (const [field, op, value, want] of cases) {
    assert.equal(m(field, op, value), want, `${field} ${op} ${JSON.stringify(value)}`);
  }
});

test('filterGroup: OR of groups, AND within a group; empty group list lets everything through', () => {
  const filter = {
    filterGroup: [
      { filters: [f('severity', 'ge', 7), f('priority', 'in', ['high', 'medium'])] },
      { filters: [f('category', 'eq', 'security'), f('group', 'in', ['admin', 'operators'])] },
    ],
  };
  assert.equal(matchesSubscriptionFilter(filter, { severity: 8, priority: 'high' }), true);
  assert.equal(matchesSubscriptionFilter(filter, { severity: 8, priority: 'low' }), false);
  assert.equal(matchesSubscriptionFilter(filter, { category: 'security', group: 'admin' }), true);
  assert.equal(matchesSubscriptionFilter(filter, { category: 'security', group: 'users', severity: 1 }), false);
  assert.equal(matchesSubscriptionFilter({ filterGroup: [] }, { a: 1 }), true);
});

test('basic filtering: every given argument equals the field of that name', () => {
  assert.equal(matchesSubscriptionArguments({}, { a: 1 }), true);
  assert.equal(matchesSubscriptionArguments({ owner: 'x', other: null }, { owner: 'x' }), true);
  assert.equal(matchesSubscriptionArguments({ owner: 'x' }, { owner: 'y' }), false);
  assert.equal(matchesSubscriptionArguments({ done: false }, {}), false);
  assert.equal(matchesSubscriptionArguments({ filter: { a: { eq: 1 } } }, { a: 1 }), false);
});
