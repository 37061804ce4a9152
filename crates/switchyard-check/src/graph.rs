//! Dependency order and cycles, for lets and targets. Iterative, so a long
//! chain of declarations cannot overflow the stack.

use std::collections::HashSet;

use switchyard_syntax::ast::Ident;

use crate::error::CheckError;

/// Every node in an order where each comes after the nodes it depends on
/// (back edges of cycles ignored), and the cycles found, each as the list of
/// its nodes starting with its smallest index.
pub(crate) fn topo_order(deps: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    const WHITE: u8 = 0;
    const GRAY: u8 = 1;
    const BLACK: u8 = 2;
    let n = deps.len();
    let mut color = vec![WHITE; n];
    let mut order = Vec::with_capacity(n);
    let mut cycles = Vec::new();
    let mut seen_cycles: HashSet<Vec<usize>> = HashSet::new();
    // The DFS path: (node, next edge to follow).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if color[root] != WHITE {
            continue;
        }
        color[root] = GRAY;
        stack.push((root, 0));
        while let Some(top) = stack.last_mut() {
            let node = top.0;
            let next = deps.get(node).and_then(|d| d.get(top.1)).copied();
            top.1 += 1;
            match next {
                Some(m) if m < n => match color[m] {
                    WHITE => {
                        color[m] = GRAY;
                        stack.push((m, 0));
                    }
                    GRAY => {
                        let from = stack.iter().position(|&(s, _)| s == m).unwrap_or(0);
                        let mut cycle: Vec<usize> = stack[from..].iter().map(|&(s, _)| s).collect();
                        let min = cycle
                            .iter()
                            .enumerate()
                            .min_by_key(|&(_, v)| *v)
                            .map_or(0, |(i, _)| i);
                        cycle.rotate_left(min);
                        if seen_cycles.insert(cycle.clone()) {
                            cycles.push(cycle);
                        }
                    }
                    _ => {}
                },
                Some(_) => {}
                None => {
                    color[node] = BLACK;
                    order.push(node);
                    stack.pop();
                }
            }
        }
    }
    (order, cycles)
}

/// The E011 error of each of `cycles` among `kind` declarations (`let` or
/// `target`), `names[i]` being the name of declaration `i`: the path
/// `a -> b -> a`, reported at the first member's name.
pub(crate) fn cycle_errors(
    kind: &'static str,
    cycles: &[Vec<usize>],
    names: &[&Ident],
) -> Vec<CheckError> {
    let mut errors = Vec::new();
    for cycle in cycles {
        let members: Vec<&Ident> = cycle
            .iter()
            .filter_map(|&i| names.get(i).copied())
            .collect();
        let Some(first) = members.first() else {
            continue;
        };
        let path = members
            .iter()
            .chain(Some(first))
            .map(|n| n.node.as_str())
            .collect::<Vec<_>>()
            .join(" -> ");
        errors.push(CheckError::Cycle {
            span: first.span,
            kind,
            path,
        });
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_dependencies_first() {
        // 0 -> 1 -> 2
        let (order, cycles) = topo_order(&[vec![1], vec![2], vec![]]);
        assert_eq!(order, vec![2, 1, 0]);
        assert!(cycles.is_empty());
    }

    #[test]
    fn finds_cycles_once() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3
        let (order, cycles) = topo_order(&[vec![1], vec![2], vec![0], vec![3]]);
        assert_eq!(order.len(), 4);
        assert_eq!(cycles, vec![vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn long_chains_do_not_overflow() {
        let deps: Vec<Vec<usize>> = (0..200_000)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
            .collect();
        let (order, _) = topo_order(&deps);
        assert_eq!(order.first(), Some(&0));
    }
}
