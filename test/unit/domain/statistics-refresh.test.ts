import { expect } from 'chai';
import { StatisticsRefresh } from '../../../src/domain/statistics-refresh';

describe(StatisticsRefresh.name, () => {
  it('asks for statistics after the first 1,000 rows and then each time the load doubles', () => {
    const sut = new StatisticsRefresh();
    const due: number[] = [];
    for (let loaded = 1000; loaded <= 100_000; loaded += 1000) if (sut.due(1000)) due.push(loaded);
    expect(due).to.deep.equal([1000, 2000, 4000, 8000, 16000, 32000, 64000]);
  });

  it('counts small chunks together', () => {
    const sut = new StatisticsRefresh();
    expect([sut.due(400), sut.due(400), sut.due(400)]).to.deep.equal([false, false, true]);
  });
});
