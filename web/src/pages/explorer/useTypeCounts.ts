import { countByType, listTypes } from '../../api/ngsi';
import { useAsync } from '../../hooks/useAsync';

export interface TypeCounts {
  counts: { type: string; count: number }[];
  at: Date;
}

export function useTypeCounts() {
  return useAsync<TypeCounts>(async (signal) => {
    const counts = await countByType(await listTypes(signal), signal);
    return { counts, at: new Date() };
  }, []);
}
